module github.com/smsbridge/smsbridge

go 1.26.8

require (
	github.com/nyaruka/phonenumbers v1.8.1
	github.com/slack-go/slack v0.35.0
	golang.org/x/time v0.16.0
)

require (
	github.com/gorilla/websocket v1.5.3 // indirect
	golang.org/x/text v0.23.0 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)
