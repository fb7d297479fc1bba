package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// agentTokenCommands are the controller's own verbs for host agents.
func agentTokenCommands(g *globals) []*cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "host-agent-token HOST [--file FILE]",
		Short: "Issue a host's agent token (shown once; a new one replaces the old)",
		Long: `Issue the token stx-agent on HOST uses to report its hardware and fetch
its configuration. The controller keeps only a hash: the token is shown
once. With --file it is written to FILE (mode 0600) instead of printed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.checkFormat(); err != nil {
				return err
			}
			tok, err := g.issueAgentToken(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if file != "" {
				if err := writeToken(file, tok.Token); err != nil {
					return err
				}
				fmt.Fprintf(g.out, "Agent token of %s written to %s\n", tok.Hostname, file)
				return nil
			}
			fmt.Fprintln(g.out, tok.Token)
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "write the token to this file (mode 0600) instead of printing it")
	return []*cobra.Command{cmd}
}

// agentToken is the controller's answer to POST .../agent_token.
type agentToken struct {
	HostUUID string `json:"host_uuid"`
	Hostname string `json:"hostname"`
	Token    string `json:"token"`
	Error    struct {
		Message string `json:"message"`
	} `json:"error"`
}

// issueAgentToken asks the controller for host's agent token.
func (g *globals) issueAgentToken(ctx context.Context, host string) (agentToken, error) {
	var out agentToken
	tok, err := g.bearer()
	if err != nil {
		return out, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		strings.TrimRight(g.url, "/")+"/v1/ihosts/"+url.PathEscape(host)+"/agent_token", nil)
	if err != nil {
		return out, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
		return out, fmt.Errorf("agent token: answer %d: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusCreated {
		return out, fmt.Errorf("agent token of %s: %s", host, out.Error.Message)
	}
	return out, nil
}

// writeToken writes a token to path, private to its owner (0600).
func writeToken(path, token string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString(token + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
