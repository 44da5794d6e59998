package webhooks

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gorm.io/gorm"
)

func TestReadyzAnswers503WhenTheDatabaseCannotCommit(t *testing.T) {
	r := newTelnyxRig(t)
	ready := func() *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		r.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, PathReady, nil))
		return w
	}
	if w := ready(); w.Code != http.StatusOK {
		t.Fatalf("readyz with a healthy database: %d", w.Code)
	}

	// The database still answers pings, but every write fails as on a
	// full disk.
	full := true
	err := r.st.DB().Callback().Raw().Before("gorm:raw").Register("test:disk_full", func(db *gorm.DB) {
		if full && strings.Contains(db.Statement.SQL.String(), "write_probe") {
			db.AddError(errors.New("database or disk is full"))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if w := ready(); w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "cannot commit") {
		t.Fatalf("readyz while writes fail: %d %s", w.Code, w.Body)
	}
	full = false
	if w := ready(); w.Code != http.StatusOK {
		t.Fatalf("readyz after writes recover: %d", w.Code)
	}
}
