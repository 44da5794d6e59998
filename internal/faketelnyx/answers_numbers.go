package faketelnyx

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The default answers of the account routes: opt-outs, numbers and their
// settings, bulk profile updates.

func (s *Server) listOptOuts(r Request) Response {
	s.mu.Lock()
	items := filter(s.state.optouts, func(o map[string]any) bool {
		return match(r.Query.Get("filter[from]"), o["from"]) &&
			match(r.Query.Get("filter[messaging_profile_id]"), o["messaging_profile_id"])
	})
	s.mu.Unlock()
	return page(r, items)
}

func (s *Server) listNumbers(r Request) Response {
	s.mu.Lock()
	want := r.Query.Get("filter[phone_number]")
	items := filter(s.state.numbers, func(n map[string]any) bool {
		if want == "" {
			return match(r.Query.Get("filter[messaging_profile_id]"), n["messaging_profile_id"])
		}
		for _, w := range strings.Split(want, ",") {
			if w == n["phone_number"] {
				return true
			}
		}
		return false
	})
	s.mu.Unlock()
	return page(r, items)
}

func (s *Server) listMobileNumbers(r Request) Response {
	s.mu.Lock()
	items := append([]map[string]any(nil), s.state.mobiles...)
	s.mu.Unlock()
	return page(r, items)
}

// numberSettings answers GET and PATCH of a number's messaging settings
// (by id, or by the number itself).
func (s *Server) numberSettings(r Request) Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.state.numbers {
		if n["id"] == r.Params["id"] || n["phone_number"] == r.Params["id"] {
			if r.Method == http.MethodPatch {
				for k, v := range r.BodyMap() {
					n[k] = v
				}
				n["updated_at"] = time.Now().UTC().Format(time.RFC3339Nano)
			}
			return JSON(map[string]any{"data": n})
		}
	}
	return NotFound("phone number")
}

func (s *Server) mobileNumberSettings(r Request) Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.state.mobiles {
		if n["id"] == r.Params["id"] {
			return JSON(map[string]any{"data": n})
		}
	}
	return NotFound("mobile phone number")
}

func (s *Server) startBulkUpdate(r Request) Response {
	b := r.BodyMap()
	o := map[string]any{
		"record_type": "messaging_numbers_bulk_update",
		"order_id":    UUID(),
		"pending":     b["numbers"],
		"success":     []any{},
		"failed":      []any{},
	}
	s.mu.Lock()
	s.state.orders[o["order_id"].(string)] = o
	s.mu.Unlock()
	return JSON(map[string]any{"data": o})
}

// bulkUpdate settles one pending number per read, so polling sees progress.
func (s *Server) bulkUpdate(r Request) Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.state.orders[r.Params["order_id"]]
	if o == nil {
		return NotFound("order")
	}
	if p, _ := o["pending"].([]any); len(p) > 0 {
		o["success"] = append(o["success"].([]any), p[0])
		o["pending"] = p[1:]
	}
	return JSON(map[string]any{"data": o})
}

func match(want string, got any) bool { return want == "" || want == got }

func filter(in []map[string]any, keep func(map[string]any) bool) []map[string]any {
	var out []map[string]any
	for _, m := range in {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// page answers one page of items per page[number] and page[size].
func page(r Request, items []map[string]any) Response {
	num, size := 1, 20
	if v, err := strconv.Atoi(r.Query.Get("page[number]")); err == nil && v > 0 {
		num = v
	}
	if v, err := strconv.Atoi(r.Query.Get("page[size]")); err == nil && v > 0 {
		size = v
	}
	total := len(items)
	pages := (total + size - 1) / size
	lo := min((num-1)*size, total)
	hi := min(lo+size, total)
	data := make([]any, 0, hi-lo)
	for _, it := range items[lo:hi] {
		data = append(data, it)
	}
	return JSON(map[string]any{
		"data": data,
		"meta": map[string]any{"page_number": num, "page_size": size, "total_pages": pages, "total_results": total},
	})
}
