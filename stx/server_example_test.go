package stx_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/edgeflock/flock/stx"
)

// Serve a handler as stx-controller does: net/http's server with
// timeouts, a cap on connections and a bounded graceful shutdown.
func ExampleNewServer() {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	srv, err := stx.NewServer(h, &stx.ServerOptions{MaxConns: 1000, ShutdownGrace: 5 * time.Second})
	if err != nil {
		panic(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(resp.Status, " ", string(body))

	// On SIGTERM: wait for requests in progress, cut what is left.
	fmt.Println(srv.Shutdown(context.Background()), <-done)
	// Output:
	// 200 OK ok
	// <nil> http: Server closed
}
