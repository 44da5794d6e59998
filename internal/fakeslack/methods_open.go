package fakeslack

import (
	"strings"

	"github.com/slack-go/slack"
)

// conversations.open (added after methods.go's init has built the handler
// table: keep this file's name sorting after methods.go). It opens the bot's
// direct message with one user, as Slack does: users names the user (one
// known to the fake, AddUser), the same user always gets the same D
// channel, and a D channel that was never opened is channel_not_found
// everywhere (posts, uploads). Group DMs (several users) are not modelled.
func init() {
	handlers["conversations.open"] = (*Server).conversationsOpen
}

func (s *Server) conversationsOpen(req *request) (map[string]any, string) {
	users, channel := req.params.Get("users"), req.params.Get("channel")
	switch {
	case users == "" && channel == "":
		return nil, "users_list_not_supplied"
	case channel != "":
		c, ok := s.channels[channel]
		if !ok || !c.IsIM {
			return nil, "channel_not_found"
		}
		return map[string]any{"channel": map[string]any{"id": c.ID}, "no_op": true, "already_open": true}, ""
	}
	ids := strings.Split(users, ",")
	if len(ids) > 8 {
		return nil, "too_many_users"
	}
	if len(ids) > 1 {
		return nil, "invalid_arguments" // group DMs: not modelled by the fake
	}
	user := strings.TrimSpace(ids[0])
	if _, ok := s.users[user]; !ok {
		return nil, "user_not_found"
	}
	id := "D" + strings.TrimPrefix(user, "U")
	_, open := s.channels[id]
	if !open {
		c := slack.Channel{}
		c.ID, c.IsIM, c.IsMember, c.User = id, true, true, user
		s.channels[id] = c
	}
	ch := map[string]any{"id": id}
	if req.params.Get("return_im") == "true" {
		ch = map[string]any{"id": id, "is_im": true, "user": user, "is_open": true}
	}
	return map[string]any{"channel": ch, "no_op": open, "already_open": open}, ""
}
