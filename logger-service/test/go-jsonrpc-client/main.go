// Command go-jsonrpc-client calls RPCServer.LogInfo the way the course's Go
// broker did, through Go's own net/rpc/jsonrpc client, so the logger's test
// proves a real Go client of that codec can talk to it. Several calls share
// one connection; each result is printed on its own line.
package main

import (
	"flag"
	"fmt"
	"net/rpc/jsonrpc"
	"os"
)

// RPCPayload is the argument type of the course's RPCServer.LogInfo.
type RPCPayload struct {
	Name string
	Data string
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5001", "logger JSON-RPC address")
	name := flag.String("name", "event", "log entry name; calls after the first add -2, -3, ...")
	calls := flag.Int("calls", 1, "how many calls to make on one connection")
	flag.Parse()

	client, err := jsonrpc.Dial("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dial:", err)
		os.Exit(1)
	}
	defer client.Close()

	for i := 1; i <= *calls; i++ {
		entryName := *name
		if i > 1 {
			entryName = fmt.Sprintf("%s-%d", *name, i)
		}
		var result string
		err := client.Call("RPCServer.LogInfo", RPCPayload{Name: entryName, Data: "from Go"}, &result)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(result)
	}
}
