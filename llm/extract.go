package llm

import (
	"encoding/json"
	"fmt"
	"strings"
)

// maxStarts bounds the '{' positions ExtractJSON tries, keeping it linear-ish
// on pathological input.
const maxStarts = 64

// ExtractJSON returns the first JSON object in a model's reply: the whole
// text, the inside of a ```json (or bare ```) fence, or an object with prose
// before and after it. Brace-like text in prose ("use {x}") is skipped when it
// is not valid JSON. The bytes are returned as found (not re-encoded).
//
// An object that opens but never closes is ErrTruncated (the usual sign of a
// token cap); no object at all, or none that parses, is ErrMalformed with the
// decoder's message.
func ExtractJSON(text string) ([]byte, error) {
	body := text
	if inner, ok := fenced(text); ok {
		body = inner
	}
	var firstErr error
	truncated := false
	tries := 0
	for i := 0; i < len(body) && tries < maxStarts; i++ {
		if body[i] != '{' {
			continue
		}
		tries++
		end, ok := matchBrace(body, i)
		if !ok {
			// Everything after an unclosed '{' lies inside it: a cut reply.
			truncated = true
			break
		}
		cand := body[i : end+1]
		var v map[string]json.RawMessage
		err := json.Unmarshal([]byte(cand), &v)
		if err == nil {
			return []byte(cand), nil
		}
		if firstErr == nil {
			firstErr = err
		}
		i = end // objects nested in an invalid one are not the reply
	}
	switch {
	case truncated:
		return nil, fmt.Errorf("%w: JSON object does not close", ErrTruncated)
	case firstErr != nil:
		return nil, fmt.Errorf("%w: %v", ErrMalformed, firstErr)
	default:
		return nil, fmt.Errorf("%w: no JSON object in %q", ErrMalformed, snippet(text, 80))
	}
}

// fenced returns the body of the first ``` fence that contains a '{'. An
// opening fence without a closing one returns the rest of the text.
func fenced(text string) (string, bool) {
	rest := text
	for {
		i := strings.Index(rest, "```")
		if i < 0 {
			return "", false
		}
		rest = rest[i+3:]
		// Skip the info string ("json", "JSON", ...) up to the line end.
		if nl := strings.IndexByte(rest, '\n'); nl >= 0 && !strings.Contains(rest[:nl], "{") {
			rest = rest[nl+1:]
		}
		inner := rest
		if j := strings.Index(rest, "```"); j >= 0 {
			inner = rest[:j]
			rest = rest[j+3:]
		} else {
			rest = ""
		}
		if strings.Contains(inner, "{") {
			return inner, true
		}
		if rest == "" {
			return "", false
		}
	}
}

// matchBrace returns the index of the '}' closing the '{' at s[start],
// skipping braces inside JSON strings; false if it never closes.
func matchBrace(s string, start int) (int, bool) {
	depth := 0
	inString, escaped := false, false
	for i := start; i < len(s); i++ {
		c := s[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i, true // a mismatched ']' fails to parse later
			}
		}
	}
	return 0, false
}
