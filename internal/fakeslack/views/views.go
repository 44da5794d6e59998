// Package views is App Home and modals as the fake Slack
// (internal/fakeslack) keeps them: views.publish replaces a user's one App
// Home, views.open and views.push open a modal for a trigger_id,
// views.update changes a view found by view_id or external_id, and a
// publish or update with a stale hash is hash_conflict. Every view's
// blocks are held to Slack's limits (internal/slacklimits); what it keeps
// are recorded.View values, each in its latest version.
//
// It imports nothing of smsbridge but internal/slacklimits and
// internal/fakeslack/recorded (internal/layout checks it).
package views

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
	"github.com/smsbridge/smsbridge/internal/slacklimits"
)

// Store holds one fake workspace's views. Its owner's lock guards it.
type Store struct {
	teamID, appID, botID string       // stamped on every view answered
	next                 func() int64 // the owner's sequence for ids and hashes
	byID                 map[string]*recorded.View
	order                []string // ids, in the order first seen
}

// New is an empty store whose ids and hashes come from next, answering
// views as the app appID (bot botID) of team teamID.
func New(next func() int64, teamID, appID, botID string) *Store {
	return &Store{teamID: teamID, appID: appID, botID: botID, next: next, byID: map[string]*recorded.View{}}
}

// request is the body of views.publish, views.open, views.push and views.update.
type request struct {
	UserID     string          `json:"user_id"`
	TriggerID  string          `json:"trigger_id"`
	ViewID     string          `json:"view_id"`
	ExternalID string          `json:"external_id"`
	Hash       string          `json:"hash"`
	View       json.RawMessage `json:"view"`
}

// Each method below answers one Web API method whose JSON body is raw, as
// the fake's handlers do: the response fields (without "ok"), or a Slack
// error code with any fields to add to the error response.

// Publish answers views.publish: a user has one App Home, and publishing
// replaces it.
func (st *Store) Publish(raw json.RawMessage) (map[string]any, string) {
	vr, extra, code := decode(raw)
	if code != "" {
		return extra, code
	}
	if vr.UserID == "" {
		return nil, "invalid_arguments"
	}
	for _, v := range st.byID {
		if v.Type == "home" && v.UserID == vr.UserID {
			if vr.Hash != "" && vr.Hash != v.Hash {
				return nil, "hash_conflict"
			}
			st.replace(v, vr.View)
			return st.answer(v), ""
		}
	}
	return st.answer(st.add("home", vr)), ""
}

// Open answers views.open and views.push: a modal, for a trigger_id.
func (st *Store) Open(raw json.RawMessage) (map[string]any, string) {
	vr, extra, code := decode(raw)
	if code != "" {
		return extra, code
	}
	if vr.TriggerID == "" {
		return nil, "invalid_trigger_id"
	}
	return st.answer(st.add("modal", vr)), ""
}

// Update answers views.update: the view named by view_id, or else by
// external_id.
func (st *Store) Update(raw json.RawMessage) (map[string]any, string) {
	vr, extra, code := decode(raw)
	if code != "" {
		return extra, code
	}
	var v *recorded.View
	for _, cand := range st.byID {
		if (vr.ViewID != "" && cand.ID == vr.ViewID) || (vr.ViewID == "" && vr.ExternalID != "" && cand.ExternalID == vr.ExternalID) {
			v = cand
		}
	}
	if v == nil {
		return nil, "not_found"
	}
	if vr.Hash != "" && vr.Hash != v.Hash {
		return nil, "hash_conflict"
	}
	st.replace(v, vr.View)
	return st.answer(v), ""
}

// All returns every view opened or published, in the order first seen,
// each in its latest version.
func (st *Store) All() []recorded.View {
	out := make([]recorded.View, 0, len(st.order))
	for _, id := range st.order {
		out = append(out, *st.byID[id])
	}
	return out
}

// Home returns the App Home last published for user.
func (st *Store) Home(user string) (recorded.View, bool) {
	for _, id := range slices.Backward(st.order) {
		if v := st.byID[id]; v.Type == "home" && v.UserID == user {
			return *v, true
		}
	}
	return recorded.View{}, false
}

func decode(raw json.RawMessage) (request, map[string]any, string) {
	var vr request
	if err := json.Unmarshal(raw, &vr); err != nil || len(vr.View) == 0 {
		return vr, nil, "invalid_arguments"
	}
	var v struct {
		Type       string          `json:"type"`
		Blocks     json.RawMessage `json:"blocks"`
		ExternalID string          `json:"external_id"`
	}
	if err := json.Unmarshal(vr.View, &v); err != nil || (v.Type != "home" && v.Type != "modal") {
		return vr, nil, "invalid_arguments"
	}
	if vr.ExternalID == "" {
		vr.ExternalID = v.ExternalID
	}
	if len(v.Blocks) > 0 {
		if problems := slacklimits.ViewBlocks(v.Blocks); len(problems) > 0 {
			return vr, map[string]any{"response_metadata": map[string]any{"messages": problems}}, "invalid_arguments"
		}
	}
	return vr, nil, ""
}

// answer is the view object Slack answers with: the view as sent, with
// its id, hash and the app's ids.
func (st *Store) answer(v *recorded.View) map[string]any {
	var obj map[string]any
	_ = json.Unmarshal(v.JSON, &obj)
	if obj == nil {
		obj = map[string]any{}
	}
	obj["id"], obj["hash"], obj["team_id"], obj["app_id"], obj["bot_id"] = v.ID, v.Hash, st.teamID, st.appID, st.botID
	if v.ExternalID != "" {
		obj["external_id"] = v.ExternalID
	}
	return map[string]any{"view": obj}
}

func (st *Store) add(typ string, vr request) *recorded.View {
	v := &recorded.View{
		ID: fmt.Sprintf("V%07d", st.next()), Type: typ, UserID: vr.UserID, TriggerID: vr.TriggerID,
		ExternalID: vr.ExternalID, JSON: vr.View,
	}
	v.Hash = st.hash()
	st.byID[v.ID] = v
	st.order = append(st.order, v.ID)
	return v
}

// replace gives v new contents and a new hash.
func (st *Store) replace(v *recorded.View, view json.RawMessage) {
	v.JSON, v.Updates = view, v.Updates+1
	v.Hash = st.hash()
}

func (st *Store) hash() string { return fmt.Sprintf("%d.hash%d", 1700000000, st.next()) }
