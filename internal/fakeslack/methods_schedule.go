package fakeslack

import (
	"strconv"
	"time"
)

// chat.scheduleMessage (added after methods.go's init has built the handler
// table: keep this file's name sorting after methods.go). smsbridge
// schedules no Slack messages; the fake has the method so that a use of
// it meets Slack's fault: Slack accepts metadata on a scheduled message and
// posts it without (or not at all), so the fake refuses metadata here and a
// test sees it. A scheduled message is recorded as its call only (the fake
// has no clock to post it by).
func init() {
	handlers["chat.scheduleMessage"] = (*Server).chatScheduleMessage
}

func (s *Server) chatScheduleMessage(req *request) (map[string]any, string) {
	channel := req.params.Get("channel")
	if code := s.checkChannelLocked(channel); code != "" {
		return nil, code
	}
	postAt, err := strconv.ParseInt(req.params.Get("post_at"), 10, 64)
	switch {
	case err != nil:
		return nil, "invalid_time"
	case postAt <= time.Now().Unix():
		return nil, "time_in_past"
	case postAt > time.Now().Add(120*24*time.Hour).Unix():
		return nil, "time_too_far"
	}
	if extra, code := checkMessageContent(req); code != "" {
		return extra, code
	}
	if req.params.Get("metadata") != "" {
		return map[string]any{"response_metadata": map[string]any{"messages": []string{
			"fakeslack: Slack drops message metadata from scheduled messages; post it when it is due with chat.postMessage"}}}, "invalid_arguments"
	}
	return map[string]any{"channel": channel, "post_at": postAt,
		"scheduled_message_id": "Q" + strconv.FormatInt(s.nextLocked(), 10)}, ""
}
