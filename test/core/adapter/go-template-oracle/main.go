// The oracle for test/core/adapter/go-template.test.ts: Go's own text/template, run as prometheus-adapter runs a
// resources.template (pkg/naming/resource_converter.go: template.New("resource-label").Delims("<<", ">>"),
// executed with a schema.GroupResource). Reads [{"template","group","resource"}] as JSON on stdin, writes
// [{"parseError"} | {"execError"} | {"out"}] on stdout.
package main

import (
	"bytes"
	"encoding/json"
	"os"
	"text/template"
)

// GroupResource mirrors k8s.io/apimachinery/pkg/runtime/schema.GroupResource: its fields and the methods a
// template can call (String, Empty).
type GroupResource struct {
	Group    string
	Resource string
}

func (gr GroupResource) Empty() bool { return len(gr.Group) == 0 && len(gr.Resource) == 0 }

func (gr GroupResource) String() string {
	if len(gr.Group) == 0 {
		return gr.Resource
	}
	return gr.Resource + "." + gr.Group
}

type input struct {
	Template string `json:"template"`
	Group    string `json:"group"`
	Resource string `json:"resource"`
}

type output struct {
	ParseError *string `json:"parseError,omitempty"`
	ExecError  *string `json:"execError,omitempty"`
	Out        *string `json:"out,omitempty"`
}

func main() {
	var in []input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	out := make([]output, len(in))
	for i, c := range in {
		t, err := template.New("resource-label").Delims("<<", ">>").Parse(c.Template)
		if err != nil {
			s := err.Error()
			out[i].ParseError = &s
			continue
		}
		buf := new(bytes.Buffer)
		if err := t.Execute(buf, GroupResource{Group: c.Group, Resource: c.Resource}); err != nil {
			s := err.Error()
			out[i].ExecError = &s
			continue
		}
		s := buf.String()
		out[i].Out = &s
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}
