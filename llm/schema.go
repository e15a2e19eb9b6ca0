package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// StrictSchema rewrites a JSON schema for OpenAI's strict structured outputs:
// every object gets "additionalProperties": false and lists all its
// properties in "required"; a property that was optional becomes nullable
// (its type gains "null", its enum gains null, a $ref or anyOf gains a null
// branch), so the model may still leave it out by sending null. The caller's
// bytes are not modified. The root must be a JSON object; ErrSchema otherwise.
func StrictSchema(schema json.RawMessage) (json.RawMessage, error) {
	root, err := decodeSchema(schema)
	if err != nil {
		return nil, err
	}
	if err := strictNode(root); err != nil {
		return nil, err
	}
	return json.Marshal(root)
}

// FlattenSchema inlines every local $ref ("#/$defs/X", "#/definitions/X" or
// any "#/..." pointer) and drops $defs, definitions, $schema and $id, for
// endpoints such as Gemini's that reject references. Sibling keywords next to
// a $ref (a description, say) override the inlined definition's. Remote or
// cyclic references are ErrSchema.
func FlattenSchema(schema json.RawMessage) (json.RawMessage, error) {
	root, err := decodeSchema(schema)
	if err != nil {
		return nil, err
	}
	out, err := flattenNode(root, root, nil)
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

func decodeSchema(schema json.RawMessage) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(schema))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSchema, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: root is not a JSON object", ErrSchema)
	}
	return m, nil
}

// eachSubschema calls f on every subschema position of m and stores what f
// returns. Maps of property names are walked as maps, not as schemas, so a
// property called "definitions" or "$ref" is left alone.
func eachSubschema(m map[string]any, f func(any) (any, error)) error {
	for _, key := range []string{"properties", "patternProperties", "$defs", "definitions"} {
		props, ok := m[key].(map[string]any)
		if !ok {
			continue
		}
		for name, sub := range props {
			v, err := f(sub)
			if err != nil {
				return err
			}
			props[name] = v
		}
	}
	for _, key := range []string{"items", "additionalProperties", "not", "contains"} {
		switch sub := m[key].(type) {
		case map[string]any:
			v, err := f(sub)
			if err != nil {
				return err
			}
			m[key] = v
		case []any: // old-style tuple "items"
			for i := range sub {
				v, err := f(sub[i])
				if err != nil {
					return err
				}
				sub[i] = v
			}
		}
	}
	for _, key := range []string{"anyOf", "oneOf", "allOf", "prefixItems"} {
		subs, ok := m[key].([]any)
		if !ok {
			continue
		}
		for i := range subs {
			v, err := f(subs[i])
			if err != nil {
				return err
			}
			subs[i] = v
		}
	}
	return nil
}

func isObjectSchema(m map[string]any) bool {
	if _, ok := m["properties"]; ok {
		return true
	}
	switch t := m["type"].(type) {
	case string:
		return t == "object"
	case []any:
		for _, x := range t {
			if x == "object" {
				return true
			}
		}
	}
	return false
}

func strictNode(node any) error {
	m, ok := node.(map[string]any)
	if !ok {
		return nil // booleans and other values have nothing to rewrite
	}
	if isObjectSchema(m) {
		props, _ := m["properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
			m["properties"] = props
		}
		had := map[string]bool{}
		if req, ok := m["required"].([]any); ok {
			for _, r := range req {
				if s, ok := r.(string); ok {
					had[s] = true
				}
			}
		}
		names := make([]string, 0, len(props))
		for name := range props {
			names = append(names, name)
		}
		sort.Strings(names)
		required := make([]any, len(names))
		for i, name := range names {
			required[i] = name
			if !had[name] {
				props[name] = nullable(props[name])
			}
		}
		m["required"] = required
		m["additionalProperties"] = false
	}
	return eachSubschema(m, func(sub any) (any, error) { return sub, strictNode(sub) })
}

// nullable lets a property schema accept null.
func nullable(node any) any {
	m, ok := node.(map[string]any)
	if !ok {
		return node
	}
	if _, ok := m["$ref"]; ok {
		return map[string]any{"anyOf": []any{m, map[string]any{"type": "null"}}}
	}
	if enum, ok := m["enum"].([]any); ok && !containsNil(enum) {
		m["enum"] = append(enum, nil)
	}
	switch t := m["type"].(type) {
	case string:
		if t != "null" {
			m["type"] = []any{t, "null"}
		}
	case []any:
		if !containsValue(t, "null") {
			m["type"] = append(t, "null")
		}
	case nil:
		if anyOf, ok := m["anyOf"].([]any); ok {
			m["anyOf"] = append(anyOf, map[string]any{"type": "null"})
		}
	}
	return m
}

func containsNil(xs []any) bool {
	for _, x := range xs {
		if x == nil {
			return true
		}
	}
	return false
}

func containsValue(xs []any, v any) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

// flattenNode returns node with local references inlined; stack holds the
// references being expanded, to catch cycles.
func flattenNode(node any, root map[string]any, stack []string) (any, error) {
	m, ok := node.(map[string]any)
	if !ok {
		return node, nil
	}
	// Copy so a definition used twice is expanded into two independent trees.
	cp := make(map[string]any, len(m))
	for k, v := range m {
		cp[k] = deepCopy(v)
	}
	m = cp
	if ref, ok := m["$ref"].(string); ok {
		for _, s := range stack {
			if s == ref {
				return nil, fmt.Errorf("%w: cyclic $ref %q", ErrSchema, ref)
			}
		}
		target, err := resolvePointer(root, ref)
		if err != nil {
			return nil, err
		}
		inlined, err := flattenNode(target, root, append(stack, ref))
		if err != nil {
			return nil, err
		}
		out, ok := inlined.(map[string]any)
		if !ok {
			return inlined, nil
		}
		delete(m, "$ref")
		for k, v := range m { // siblings win over the definition
			out[k] = v
		}
		m = out
	}
	for _, k := range []string{"$defs", "definitions", "$schema", "$id"} {
		delete(m, k)
	}
	err := eachSubschema(m, func(sub any) (any, error) { return flattenNode(sub, root, stack) })
	return m, err
}

func resolvePointer(root map[string]any, ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("%w: $ref %q is not a local pointer", ErrSchema, ref)
	}
	var cur any = root
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: $ref %q does not resolve", ErrSchema, ref)
		}
		if cur, ok = m[part]; !ok {
			return nil, fmt.Errorf("%w: $ref %q does not resolve", ErrSchema, ref)
		}
	}
	return cur, nil
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	default:
		return v
	}
}
