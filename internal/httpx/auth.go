package httpx

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
)

// Role is what a token may do.
type Role string

// Roles: an admin may read and write, a reader may only read (GET, HEAD).
// Other roles (a host's agent) pass only what Auth.Authorize lets through.
const (
	RoleAdmin  Role = "admin"
	RoleReader Role = "reader"
)

// Principal is who a request's token belongs to: its role and, for a
// token bound to one resource (a host's agent token), that resource.
type Principal struct {
	Role    Role
	Subject string
}

type principalKey struct{}

// PrincipalFrom returns the principal Middleware authenticated the
// request of ctx as.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Auth checks tokens.
type Auth struct {
	// Disabled lets every request through (for tests and trusted loopback).
	Disabled bool
	// Lookup, if set, is asked about a token that is not one of
	// NewAuth's: tokens kept elsewhere, such as per-host agent tokens in
	// a database. It returns ok false for an unknown token; an error
	// fails the request (500).
	Lookup func(ctx context.Context, token string) (p Principal, ok bool, err error)
	// Authorize, if set, decides the requests of roles other than admin
	// and reader, which are refused without it. It returns the request
	// to serve (the same, or one whose body it read and replaced), or an
	// error wrapping ErrForbidden.
	Authorize func(r *http.Request, p Principal) (*http.Request, error)
	tokens    map[[32]byte]Role
}

// NewAuth returns an Auth that accepts the given tokens. Tokens are kept
// hashed, so a lookup leaks no timing about their bytes.
func NewAuth(tokens map[string]Role) *Auth {
	a := &Auth{tokens: map[[32]byte]Role{}}
	for t, r := range tokens {
		a.tokens[sha256.Sum256([]byte(t))] = r
	}
	return a
}

// token returns the token of r: "Authorization: Bearer <token>", or else
// "X-Auth-Token: <token>" as OpenStack's and StarlingX's clients (fm,
// system) send it.
func token(r *http.Request) (string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		return strings.TrimSpace(tok), ok
	}
	if tok := strings.TrimSpace(r.Header.Get("X-Auth-Token")); tok != "" {
		return tok, true
	}
	return "", false
}

// Middleware authenticates every request to next; either header carries
// the token, with the same roles. The principal is in the request's
// context (PrincipalFrom). Errors are written with e.
func (a *Auth) Middleware(e *Errors, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a == nil || a.Disabled {
			next.ServeHTTP(w, r)
			return
		}
		tok, ok := token(r)
		p := Principal{}
		role, known := a.tokens[sha256.Sum256([]byte(tok))]
		p.Role = role
		if ok && tok != "" && !known && a.Lookup != nil {
			var err error
			if p, known, err = a.Lookup(r.Context(), tok); err != nil {
				e.Write(w, r, nil, fmt.Errorf("token lookup: %w", err))
				return
			}
		}
		if !ok || !known {
			e.Write(w, r, nil, fmt.Errorf("%w: a valid token is required (Authorization: Bearer or X-Auth-Token)", ErrUnauthenticated))
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
		switch p.Role {
		case RoleAdmin:
		case RoleReader:
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				e.Write(w, r, nil, fmt.Errorf("%w: role %s may only read", ErrForbidden, p.Role))
				return
			}
		default:
			if a.Authorize == nil {
				e.Write(w, r, nil, fmt.Errorf("%w: role %s may not call %s %s", ErrForbidden, p.Role, r.Method, r.URL.Path))
				return
			}
			var err error
			if r, err = a.Authorize(r, p); err != nil {
				e.Write(w, r, nil, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
