package llm

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStrictSchema(t *testing.T) {
	in := json.RawMessage(`{
	  "type": "object",
	  "properties": {
	    "name": {"type": "string"},
	    "kind": {"type": "string", "enum": ["a", "b"]},
	    "tags": {"type": ["array"], "items": {"type": "object", "properties": {"k": {"type": "string"}, "v": {"type": "number"}}, "required": ["k"]}},
	    "ref": {"$ref": "#/$defs/x"},
	    "either": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
	    "properties": {"type": "integer"}
	  },
	  "required": ["name", "properties"],
	  "$defs": {"x": {"type": "object", "properties": {"y": {"type": "boolean"}}}}
	}`)
	orig := string(in)
	out, err := StrictSchema(in)
	require.NoError(t, err)
	assert.Equal(t, orig, string(in), "input untouched")
	want := `{
	  "type": "object",
	  "additionalProperties": false,
	  "required": ["either", "kind", "name", "properties", "ref", "tags"],
	  "properties": {
	    "name": {"type": "string"},
	    "kind": {"type": ["string", "null"], "enum": ["a", "b", null]},
	    "tags": {"type": ["array", "null"], "items": {"type": "object", "additionalProperties": false,
	      "properties": {"k": {"type": "string"}, "v": {"type": ["number", "null"]}}, "required": ["k", "v"]}},
	    "ref": {"anyOf": [{"$ref": "#/$defs/x"}, {"type": "null"}]},
	    "either": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]},
	    "properties": {"type": "integer"}
	  },
	  "$defs": {"x": {"type": "object", "additionalProperties": false, "properties": {"y": {"type": ["boolean", "null"]}}, "required": ["y"]}}
	}`
	assert.JSONEq(t, want, string(out))

	again, err := StrictSchema(out)
	require.NoError(t, err)
	assert.JSONEq(t, string(out), string(again), "idempotent")
}

func TestFlattenSchema(t *testing.T) {
	in := json.RawMessage(`{
	  "$schema": "https://json-schema.org/draft/2020-12/schema",
	  "type": "object",
	  "properties": {
	    "a": {"$ref": "#/$defs/leaf", "description": "first"},
	    "b": {"type": "array", "items": {"$ref": "#/definitions/node"}},
	    "definitions": {"type": "string"}
	  },
	  "$defs": {"leaf": {"type": "integer", "description": "a leaf", "minimum": 1}},
	  "definitions": {"node": {"type": "object", "properties": {"leaf": {"$ref": "#/$defs/leaf"}}}}
	}`)
	out, err := FlattenSchema(in)
	require.NoError(t, err)
	want := `{
	  "type": "object",
	  "properties": {
	    "a": {"type": "integer", "description": "first", "minimum": 1},
	    "b": {"type": "array", "items": {"type": "object", "properties": {"leaf": {"type": "integer", "description": "a leaf", "minimum": 1}}}},
	    "definitions": {"type": "string"}
	  }
	}`
	assert.JSONEq(t, want, string(out))
}

func TestSchemaErrors(t *testing.T) {
	for name, in := range map[string]string{
		"cyclic":     `{"type":"object","properties":{"n":{"$ref":"#/$defs/n"}},"$defs":{"n":{"type":"object","properties":{"next":{"$ref":"#/$defs/n"}}}}}`,
		"remote":     `{"$ref":"https://example.test/s.json"}`,
		"dangling":   `{"properties":{"a":{"$ref":"#/$defs/missing"}}}`,
		"not object": `[1]`,
		"invalid":    `{`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := FlattenSchema(json.RawMessage(in))
			assert.ErrorIs(t, err, ErrSchema)
		})
	}
	_, err := StrictSchema(json.RawMessage(`"x"`))
	assert.ErrorIs(t, err, ErrSchema)
}
