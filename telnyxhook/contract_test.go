package telnyxhook_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi-validator/schema_validation"

	"github.com/smsbridge/smsbridge/internal/faketelnyx"
)

// TestWebhookFixturesMatchTheSpec validates every webhook fixture the tests
// feed the service against the spec's callback schemas, so what the tests
// call a Telnyx webhook is one. (hash_sha256's wrong length bound is
// patched out, as DESIGN.md explains.)
func TestWebhookFixturesMatchTheSpec(t *testing.T) {
	spec, err := faketelnyx.Spec()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		t.Fatal(err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	schemas := model.Model.Components.Schemas
	v := schema_validation.NewSchemaValidator()
	for file, schema := range map[string]string{
		"message.received.sms.json":              "InboundMessageEvent",
		"message.received.mms.json":              "InboundMessageEvent",
		"message.received.group_mms.json":        "InboundMessageEvent",
		"message.sent.json":                      "OutboundMessageEvent",
		"message.finalized.delivered.json":       "OutboundMessageEvent",
		"message.finalized.delivery_failed.json": "OutboundMessageEvent",
		"link_clicked.json":                      "ReplacedLinkClickEvent",
	} {
		t.Run(file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("..", "telnyx", "testdata", "webhooks", file))
			if err != nil {
				t.Fatal(err)
			}
			proxy, ok := schemas.Get(schema)
			if !ok {
				t.Fatalf("schema %s not in the spec", schema)
			}
			if ok, errs := v.ValidateSchemaBytes(proxy.Schema(), body); !ok {
				for _, e := range errs {
					t.Errorf("%s: %s", e.Message, e.Reason)
					for _, se := range e.SchemaValidationErrors {
						t.Errorf("  %s: %s", se.FieldPath, se.Reason)
					}
				}
			}
		})
	}
}

// TestSpecValidatorRejectsABadWebhook proves the check above can fail.
func TestSpecValidatorRejectsABadWebhook(t *testing.T) {
	spec, _ := faketelnyx.Spec()
	doc, _ := libopenapi.NewDocument(spec)
	model, _ := doc.BuildV3Model()
	proxy, _ := model.Model.Components.Schemas.Get("InboundMessageEvent")
	bad := []byte(`{"data":{"event_type":"message.received","id":"x","payload":{"id":5,"text":7}}}`)
	if ok, _ := schema_validation.NewSchemaValidator().ValidateSchemaBytes(proxy.Schema(), bad); ok {
		t.Fatal("a payload with numbers for strings validated")
	}
}
