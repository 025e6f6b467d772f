//go:build ignore

// gen_weak writes weak.txt.gz, the compressed list of weak passwords that package password
// embeds. Run it with `go generate ./internal/password/`.
package main

import (
	"compress/gzip"
	"log"
	"os"
	"strings"

	"github.com/latchkey/latchkey/internal/password/internal/weaklist"
)

func main() {
	f, err := os.Create("weak.txt.gz")
	if err != nil {
		log.Fatal(err)
	}
	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		log.Fatal(err)
	}
	// No name or time in the header, so that the file is the same on every run.
	if _, err := zw.Write([]byte(strings.Join(weaklist.Generate(), "\n") + "\n")); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
