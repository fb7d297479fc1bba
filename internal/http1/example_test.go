package http1_test

import (
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/edgeflock/flock/internal/http1"
)

// Serve any http.Handler; stop with Shutdown or Close.
func Example() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http1.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s", r.URL.Query().Get("name"))
	})}
	go srv.Serve(ln)
	defer srv.Close()

	resp, err := http.Get("http://" + ln.Addr().String() + "/?name=flock")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, resp.ContentLength, string(body))
	// Output: 200 12 hello, flock
}
