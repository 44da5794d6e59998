// Package store is smsbridge's persistence: gorm models, versioned
// migrations and queries. SQLite by default, PostgreSQL by URL. Every query
// takes a context; a missing row is ErrNotFound.
package store
