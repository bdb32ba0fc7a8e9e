module example.com/app

go 1.21

require (
	github.com/gorilla/mux v1.8.0
	golang.org/x/text v0.3.7 // indirect
	github.com/old/lib v1.0.0
	example.com/local v0.0.0
)

require github.com/pkg/errors v0.9.1

replace github.com/old/lib => github.com/new/lib v1.1.0

replace example.com/local => ../local
