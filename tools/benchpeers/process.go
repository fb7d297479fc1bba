//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// process is a server this program starts, stops and kills.
type process struct {
	name  string
	argv  []string
	log   string // its standard output and error go here
	ready string // URL that answers 200 once it serves
	cmd   *exec.Cmd
	done  chan struct{} // closed when it has exited
	err   error         // its exit status, once done is closed
}

// start runs the process and waits until its ready URL answers 200,
// returning how long that took.
func (p *process) start(ctx context.Context) (time.Duration, error) {
	logf, err := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	defer logf.Close()
	p.cmd = exec.Command(p.argv[0], p.argv[1:]...)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	begin := time.Now()
	if err := p.cmd.Start(); err != nil {
		return 0, fmt.Errorf("%s: %w", p.name, err)
	}
	p.done = make(chan struct{})
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	limit := time.After(2 * time.Minute)
	for {
		if resp, err := client.Get(p.ready); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(begin), nil
			}
		}
		select {
		case <-p.done:
			return 0, fmt.Errorf("%s exited before it served (%v); its log, %s, ends:\n%s", p.name, p.err, p.log, tail(p.log))
		case <-limit:
			_ = p.kill()
			return 0, fmt.Errorf("%s did not answer %s within 2 minutes; its log, %s, ends:\n%s", p.name, p.ready, p.log, tail(p.log))
		case <-ctx.Done():
			_ = p.kill()
			return 0, ctx.Err()
		case <-tick.C:
		}
	}
}

// pid returns the process id, 0 when not running.
func (p *process) pid() int {
	if !p.running() {
		return 0
	}
	return p.cmd.Process.Pid
}

func (p *process) running() bool {
	if p.cmd == nil || p.done == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM and waits for the exit, killing the process after
// grace; it returns an error unless the process exited 0.
func (p *process) stop(grace time.Duration) error {
	if !p.running() {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if p.err != nil {
			return fmt.Errorf("%s: SIGTERM: %w", p.name, p.err)
		}
		return nil
	case <-time.After(grace):
		_ = p.kill()
		return fmt.Errorf("%s did not exit within %v of SIGTERM", p.name, grace)
	}
}

// kill sends SIGKILL and waits for the exit.
func (p *process) kill() error {
	if !p.running() {
		return nil
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	<-p.done
	return nil
}

// tail returns the last lines of the file at path.
func tail(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}
