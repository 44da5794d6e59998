module github.com/smsbridge/smsbridge

go 1.26.8
