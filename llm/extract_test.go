package llm

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExtractJSON(t *testing.T) {
	cases := []struct {
		name, text, want string
		err              error
	}{
		{"plain", `{"a":1}`, `{"a":1}`, nil},
		{"spaces", "\n  {\"a\": [1, 2]}\n", `{"a": [1, 2]}`, nil},
		{"fenced json", "```json\n{\"a\":1}\n```", `{"a":1}`, nil},
		{"fenced JSON upper", "```JSON\n{\"a\":1}\n```", `{"a":1}`, nil},
		{"bare fence", "```\n{\"a\":1}\n```", `{"a":1}`, nil},
		{"prose around fence", "Sure! Here it is:\n```json\n{\"a\":{\"b\":\"}\"}}\n```\nHope this helps {really}.", `{"a":{"b":"}"}}`, nil},
		{"prose around object", `The plan is {"folds": 5} as asked.`, `{"folds": 5}`, nil},
		{"brace in prose first", `Use {braces} like this: {"ok": true}`, `{"ok": true}`, nil},
		{"escaped quote", `{"s":"a \"quoted\" {brace}"}`, `{"s":"a \"quoted\" {brace}"}`, nil},
		{"unicode", `{"s":"é—ü"}`, `{"s":"é—ü"}`, nil},
		{"non-json fence first", "```python\nprint(1)\n```\n```json\n{\"a\":1}\n```", `{"a":1}`, nil},
		{"truncated", `{"models": [{"name": "gbdt"}, {"na`, "", ErrTruncated},
		{"truncated in fence", "```json\n{\"a\": {\"b\": 1}, \"c\": ", "", ErrTruncated},
		{"truncated with valid inner", `{"a": {"b": 1}, "c": [`, "", ErrTruncated},
		{"malformed", `{"a": 1,,}`, "", ErrMalformed},
		{"invalid outer valid inner", `{"a": {"b":1}, oops}`, "", ErrMalformed},
		{"no object", "I cannot do that.", "", ErrMalformed},
		{"array only", `[1, 2]`, "", ErrMalformed},
		{"empty", "", "", ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ExtractJSON(tc.text)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

func FuzzExtractJSON(f *testing.F) {
	for _, s := range []string{`{"a":1}`, "```json\n{\"a\":1}\n```", `x {"a":"}"} y`, `{"a":`, `{{{{`, "```", `"{"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ExtractJSON(s)
		if err != nil {
			return
		}
		var m map[string]any
		if json.Unmarshal(got, &m) != nil {
			t.Fatalf("ExtractJSON(%q) = %q, not a JSON object", s, got)
		}
		if !strings.Contains(s, string(got)) {
			t.Fatalf("ExtractJSON(%q) = %q, not a substring", s, got)
		}
	})
}
