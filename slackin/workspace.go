package slackin

import (
	"log/slog"
)

// Workspace is the Slack workspace (and Enterprise Grid organisation) the
// bot is installed in, from auth.test, and our app id when configured
// (SLACK_APP_ID; auth.test does not say it). A signed request names its
// workspace; one that names another has no effect: it was signed with our
// secret but is not for this install (a replay across installs of the same
// app, or a shared secret), and acting on it would text from our numbers.
type Workspace struct {
	TeamID       string
	EnterpriseID string // "" outside Enterprise Grid
	AppID        string // "" skips the app check
	Log          *slog.Logger
}

// Allows reports whether a request naming team, enterprise and app is for
// this install, and logs the ones that are not. On Enterprise Grid an
// org-wide install receives events from every workspace of the
// organisation, so a matching enterprise id is enough. A nil Workspace
// allows everything (tests of a single handler).
func (w *Workspace) Allows(kind, team, enterprise, app string) bool {
	if w == nil {
		return true
	}
	ok := team != "" && team == w.TeamID ||
		w.EnterpriseID != "" && enterprise == w.EnterpriseID
	if ok && w.AppID != "" && app != "" && app != w.AppID {
		ok = false
	}
	if !ok && w.Log != nil {
		w.Log.Warn("slack request from another workspace or app ignored", "kind", kind,
			"team_id", team, "enterprise_id", enterprise, "api_app_id", app,
			"our_team_id", w.TeamID, "our_enterprise_id", w.EnterpriseID)
	}
	return ok
}
