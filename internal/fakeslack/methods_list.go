package fakeslack

import "sort"

// conversations.list, added after methods.go's init has built the handler
// table (init functions run in file name order: keep this file's name
// sorting after methods.go).
func init() {
	handlers["conversations.list"] = (*Server).conversationsList
}

// conversationsList lists the channels registered with AddChannel, sorted
// by id, in one page.
func (s *Server) conversationsList(req *request) (map[string]any, string) {
	ids := make([]string, 0, len(s.channels))
	for id := range s.channels {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	excludeArchived := req.params.Get("exclude_archived") == "true"
	chans := make([]any, 0, len(ids))
	for _, id := range ids {
		c := s.channels[id]
		if (excludeArchived && c.IsArchived) || c.IsIM {
			continue
		}
		chans = append(chans, c)
	}
	return map[string]any{"channels": chans, "response_metadata": map[string]any{"next_cursor": ""}}, ""
}
