package sandbox

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
)

// Modals: every modal the bot opens (views.open, views.push) joins the open
// stack the page shows, in the order opened; views.update changes it in
// place. A submission goes back as view_submission, and the service's
// answer acts as Slack's does: nothing closes the modal, "errors" shows
// them under their blocks, "update" replaces it, "push" stacks a new one,
// "clear" closes them all.

// localView is a modal the service's submission answer made or replaced
// (Slack holds these; the fake never sees them). It gives way to the
// fake's version once the bot updates that view itself.
type localView struct {
	json        json.RawMessage
	fakeUpdates int
}

// syncModalsLocked adds the modals opened since last time to the stack.
func (s *Sandbox) syncModalsLocked(views []recorded.View) {
	for _, v := range views {
		if v.Type == "modal" && !s.seenViews[v.ID] {
			s.seenViews[v.ID] = true
			s.modals = append(s.modals, v.ID)
		}
	}
}

// viewJSONLocked is a view's latest JSON as the page and Slack's payloads
// show it, or false.
func (s *Sandbox) viewJSONLocked(id string, views []recorded.View) (json.RawMessage, bool) {
	for _, v := range views {
		if v.ID != id {
			continue
		}
		if lv, ok := s.localViews[id]; ok && lv.fakeUpdates == v.Updates {
			return lv.json, true
		}
		delete(s.localViews, id)
		return v.JSON, true
	}
	if lv, ok := s.localViews[id]; ok {
		return lv.json, true
	}
	return nil, false
}

// viewJSON is the view id as an interaction carries it: the view object
// with its id, hash and the state of its inputs.
func (s *Sandbox) viewJSON(id string, values map[string]any) (map[string]any, bool) {
	views := s.Slack.Views()
	s.mu.Lock()
	raw, ok := s.viewJSONLocked(id, views)
	s.mu.Unlock()
	if !ok {
		return nil, false
	}
	var obj map[string]any
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		obj = map[string]any{}
	}
	if values == nil {
		values = map[string]any{}
	}
	obj["id"], obj["team_id"], obj["app_id"], obj["bot_id"] = id, fakeslack.TeamID, fakeslack.AppID, fakeslack.BotID
	obj["hash"], obj["state"] = "sandbox", map[string]any{"values": values}
	return obj, true
}

// Submit sends view_submission for the open modal viewID with its inputs'
// values (block_id → action_id → the element's value object).
func (s *Sandbox) Submit(ctx context.Context, user, viewID string, values map[string]any) error {
	view, ok := s.viewJSON(viewID, values)
	if !ok {
		return fmt.Errorf("no view %s", viewID)
	}
	p := s.interaction("view_submission", user)
	p["view"], p["response_urls"] = view, []any{}
	body, err := s.postInteraction(ctx, p)
	if err != nil {
		return err
	}
	var resp struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
		View   json.RawMessage   `json:"view"`
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &resp); err != nil {
			return fmt.Errorf("the service answered the submission with something Slack would not read: %v", err)
		}
	}
	s.applySubmitAnswer(viewID, resp.Action, resp.Errors, resp.View)
	s.hub.changed()
	return nil
}

func (s *Sandbox) applySubmitAnswer(viewID, action string, errs map[string]string, view json.RawMessage) {
	views := s.Slack.Views()
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.viewErrors, viewID)
	switch action {
	case "errors":
		s.viewErrors[viewID] = errs
	case "update":
		s.localViews[viewID] = localView{json: view, fakeUpdates: fakeUpdates(views, viewID)}
	case "push":
		id := fmt.Sprintf("VSB%06d", s.seq+1)
		s.seq++
		s.localViews[id] = localView{json: view, fakeUpdates: -1}
		s.modals = append(s.modals, id)
	case "clear":
		s.modals = nil
	default:
		s.closeLocked(viewID)
	}
}

func fakeUpdates(views []recorded.View, id string) int {
	for _, v := range views {
		if v.ID == id {
			return v.Updates
		}
	}
	return -1
}

// CloseView closes the modal viewID (the page's Cancel or ×).
func (s *Sandbox) CloseView(viewID string) {
	s.mu.Lock()
	s.closeLocked(viewID)
	s.mu.Unlock()
	s.hub.changed()
}

func (s *Sandbox) closeLocked(viewID string) {
	for i, id := range s.modals {
		if id == viewID {
			s.modals = append(s.modals[:i:i], s.modals[i+1:]...)
			return
		}
	}
}
