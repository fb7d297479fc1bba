package httpx

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
)

// Role is what a token may do.
type Role string

// Roles: an admin may read and write, a reader may only read (GET, HEAD).
const (
	RoleAdmin  Role = "admin"
	RoleReader Role = "reader"
)

// Auth checks tokens.
type Auth struct {
	// Disabled lets every request through (for tests and trusted loopback).
	Disabled bool
	tokens   map[[32]byte]Role
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
// the token, with the same roles. Errors are written with e.
func (a *Auth) Middleware(e *Errors, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a == nil || a.Disabled {
			next.ServeHTTP(w, r)
			return
		}
		tok, ok := token(r)
		role, known := a.tokens[sha256.Sum256([]byte(tok))]
		if !ok || !known {
			e.Write(w, r, nil, fmt.Errorf("%w: a valid token is required (Authorization: Bearer or X-Auth-Token)", ErrUnauthenticated))
			return
		}
		if role != RoleAdmin && r.Method != http.MethodGet && r.Method != http.MethodHead {
			e.Write(w, r, nil, fmt.Errorf("%w: role %s may only read", ErrForbidden, role))
			return
		}
		next.ServeHTTP(w, r)
	})
}
