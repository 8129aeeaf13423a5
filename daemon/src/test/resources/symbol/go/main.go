package main

import (
	"fmt"
	"os"
)

var sink [][]byte

//go:noinline
func allocate(n int) []byte {
	b := make([]byte, n)
	sink = append(sink, b)
	return b
}

func small(x int) int {
	return x*3 + 1
}

func main() {
	total := 0
	for i := 0; i < len(os.Args)+3; i++ {
		total += len(allocate(1 << 10))
		total += small(i)
	}
	fmt.Println(total)
	// With an argument the program stays alive until stdin closes, for tests that read it from /proc.
	if len(os.Args) > 1 {
		os.Stdin.Read(make([]byte, 1))
	}
}
