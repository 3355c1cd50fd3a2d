// Command go-jsonrpc-server serves RPCServer.LogInfo the way the course's Go
// logger did, through Go's own net/rpc/jsonrpc server, so the contracts' test
// proves our client's requests (with the extra traceparent member) are ones a
// real Go server of that codec accepts. It prints its address, then serves
// until killed; each call's argument is echoed in the reply.
package main

import (
	"fmt"
	"net"
	"net/rpc"
	"net/rpc/jsonrpc"
	"os"
)

// RPCPayload is the argument type of the course's RPCServer.LogInfo.
type RPCPayload struct {
	Name string
	Data string
}

// RPCServer is the course's receiver type.
type RPCServer struct{}

// LogInfo answers as the course's logger did.
func (r *RPCServer) LogInfo(payload RPCPayload, resp *string) error {
	*resp = "Processed payload via RPC:" + payload.Name
	return nil
}

func main() {
	if err := rpc.Register(new(RPCServer)); err != nil {
		fmt.Fprintln(os.Stderr, "register:", err)
		os.Exit(1)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	fmt.Println(listener.Addr().String())
	for {
		conn, err := listener.Accept()
		if err != nil {
			continue
		}
		go rpc.ServeCodec(jsonrpc.NewServerCodec(conn))
	}
}
