// Package lint holds checks of the repository as a whole, run as tests by
// `go test ./...`: what a vendor's build pulls in when it imports Flock.
// It has no code of its own.
package lint
