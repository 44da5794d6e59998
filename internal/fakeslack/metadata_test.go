package fakeslack_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
)

func TestMetadataIsRecordedAndItsShapeChecked(t *testing.T) {
	srv := fakeslack.New(t, fakeslack.WithPostRate(100)) // posts in a row: the rate is not what this tests
	c := srv.Client()
	ctx := context.Background()
	md := slack.SlackMetadata{EventType: "sms_received", EventPayload: map[string]any{"from": "+13125550123", "conversation_id": 7, "media": []map[string]any{{"url": "https://x"}}}}
	_, ts, err := c.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false), slack.MsgOptionMetadata(md))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := srv.Message("C1", ts)
	if got := m.Meta(); got.EventType != "sms_received" || got.EventPayload["from"] != "+13125550123" || got.EventPayload["conversation_id"] != float64(7) {
		t.Fatalf("recorded metadata %+v", got)
	}
	// An update without metadata keeps it.
	if _, _, _, err := c.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("hi again", false)); err != nil {
		t.Fatal(err)
	}
	if m, _ := srv.Message("C1", ts); m.Meta().EventType != "sms_received" {
		t.Errorf("update dropped the metadata: %s", m.Metadata)
	}
	for _, bad := range []slack.SlackMetadata{
		{EventType: "sms.received", EventPayload: map[string]any{"a": "b"}},
		{EventType: "", EventPayload: map[string]any{"a": "b"}},
		{EventType: "x", EventPayload: nil},
		{EventType: "x", EventPayload: map[string]any{"a": nil}},
		{EventType: "x", EventPayload: map[string]any{"a": []any{"not an object"}}},
	} {
		_, _, err := c.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false), slack.MsgOptionMetadata(bad))
		var se slack.SlackErrorResponse
		if !errors.As(err, &se) || se.Err != "invalid_metadata_schema" {
			t.Errorf("metadata %+v: %v, want invalid_metadata_schema", bad, err)
		}
	}
}

func TestConversationsOpenMakesTheOneDMAUserHas(t *testing.T) {
	srv := fakeslack.New(t, fakeslack.WithPostRate(100)) // posts in a row: the rate is not what this tests
	c := srv.Client()
	ctx := context.Background()
	// A DM never opened cannot be posted to.
	if _, _, err := c.PostMessageContext(ctx, "DANA", slack.MsgOptionText("x", false)); err == nil || !strings.Contains(err.Error(), "channel_not_found") {
		t.Fatalf("post to an unopened DM: %v, want channel_not_found", err)
	}
	if _, _, _, err := c.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"UNOBODY"}}); err == nil || !strings.Contains(err.Error(), "user_not_found") {
		t.Fatalf("open with an unknown user: %v, want user_not_found", err)
	}
	if _, _, _, err := c.OpenConversationContext(ctx, &slack.OpenConversationParameters{}); err == nil || !strings.Contains(err.Error(), "users_list_not_supplied") {
		t.Fatalf("open with nobody: %v", err)
	}
	srv.AddUser(slack.User{ID: "UANA", Name: "ana"})
	ch, noOp, _, err := c.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"UANA"}})
	if err != nil || !strings.HasPrefix(ch.ID, "D") || noOp {
		t.Fatalf("open: %+v %v %v", ch, noOp, err)
	}
	again, noOp, _, err := c.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"UANA"}})
	if err != nil || again.ID != ch.ID || !noOp {
		t.Fatalf("second open: %+v %v %v; want the same DM", again, noOp, err)
	}
	body := "a,b\n1,2\n"
	if _, err := c.UploadFileContext(ctx, slack.UploadFileParameters{Reader: strings.NewReader(body), FileSize: len(body), Filename: "x.csv", Channel: ch.ID}); err != nil {
		t.Fatal(err)
	}
	ups := srv.Uploads()
	if len(ups) != 1 || ups[0].Channel != ch.ID || string(ups[0].Content) != body {
		t.Fatalf("uploads %+v", ups)
	}
}

// Slack drops metadata from a scheduled message: the fake refuses it, so a
// use of chat.scheduleMessage with metadata fails in a test.
func TestScheduledMessageWithMetadataIsRefused(t *testing.T) {
	srv := fakeslack.New(t)
	c := srv.Client()
	ctx := context.Background()
	postAt := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	md := slack.SlackMetadata{EventType: "sms_sent", EventPayload: map[string]any{"to": "+13125550123"}}
	_, _, err := c.ScheduleMessageContext(ctx, "C1", postAt, slack.MsgOptionText("later", false), slack.MsgOptionMetadata(md))
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "invalid_arguments" || !strings.Contains(strings.Join(se.ResponseMetadata.Messages, " "), "drops message metadata") {
		t.Fatalf("scheduled with metadata: %v, want refused", err)
	}
	if _, id, err := c.ScheduleMessageContext(ctx, "C1", postAt, slack.MsgOptionText("later", false)); err != nil || !strings.HasPrefix(id, "Q") {
		t.Fatalf("scheduled without metadata: %q, %v", id, err)
	}
	past := strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)
	if _, _, err := c.ScheduleMessageContext(ctx, "C1", past, slack.MsgOptionText("late", false)); !errors.As(err, &se) || se.Err != "time_in_past" {
		t.Errorf("scheduled in the past: %v", err)
	}
	if n := len(srv.Messages("C1")); n != 0 {
		t.Errorf("%d messages posted at once, want none", n)
	}
}
