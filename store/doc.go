// Package store is smsbridge's persistence: SQLite by default, PostgreSQL by
// URL. Every query takes a context; a missing row is ErrNotFound.
//
// Store is assembled here from the store's parts, each a package that keeps
// its own tables over one shared connection (internal/conn) and knows no
// other part:
//
//   - work: events, lanes and leases, instances, event counts, wake-ups,
//     gauges, retention;
//   - conversations: conversations, threads, routes, the App Home and
//     history queries, the waiting spell;
//   - outbox: messages, outbound media, scheduled messages, confirmations;
//   - consent: opt-out records, our numbers and their profiles;
//   - team: contacts, saved replies, business hours and auto-replies;
//   - budgets: the shared rate limits.
//
// Open applies the migrations (store/migrations) first. The tables and
// their states are store/model's; the aliases in models.go keep them
// reachable as store.X, so callers import this package only.
//
// It must not import gin, slack-go, Telnyx's packages, bridge, webhooks or
// the Slack packages (internal/layout checks this, for every part too).
package store
