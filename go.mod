module github.com/smsbridge/smsbridge

go 1.26.8

require github.com/nyaruka/phonenumbers v1.8.1

require (
	golang.org/x/text v0.43.0 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)
