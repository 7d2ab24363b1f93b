// Strict mode: the request checks vCenter makes and vcsim skips. vpxd reads each data object with a forward
// cursor over its WSDL property list, so a child element out of that order, an element the type does not
// have, or an xsd:anyType value without xsi:type fails the whole call with InvalidRequest before any method
// runs. vcsim's decoder accepts all three, which would let a client bug pass every test.
//
// The WSDL order is taken from govmomi's generated Go types: their fields are emitted in WSDL order, with a
// base type's fields (embedded struct) before the derived type's.
package main

import (
	"bytes"
	encxml "encoding/xml"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/vim25/types"
)

// requestError is a request vCenter would refuse; its message is the faultstring.
type requestError struct {
	message string
}

func (e *requestError) Error() string { return e.message }

// checkRequest validates the method element of a SOAP request against govmomi's request type. Requests it
// cannot read (malformed XML, unknown method) are left for vcsim to answer.
func checkRequest(body []byte) *requestError {
	d := encxml.NewDecoder(bytes.NewReader(body))
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return nil
		}
		switch t := tok.(type) {
		case encxml.StartElement:
			depth++
			switch {
			case depth == 2 && t.Name.Local != "Body":
				if d.Skip() != nil {
					return nil
				}
				depth--
			case depth == 3:
				typ, ok := typeFunc(t.Name.Local)
				if !ok {
					return nil
				}
				c := &requestChecker{d: d, method: t.Name.Local}
				return c.content(typ, true)
			}
		case encxml.EndElement:
			depth--
		}
	}
}

type requestChecker struct {
	d      *encxml.Decoder
	method string
}

// content reads the children of an element whose type is t, up to the element's end tag.
func (c *requestChecker) content(t reflect.Type, isMethod bool) *requestError {
	s := schemaOf(t)
	last := -1
	for {
		tok, err := c.d.Token()
		if err != nil {
			return nil
		}
		switch e := tok.(type) {
		case encxml.StartElement:
			f, ok := s.fields[e.Name.Local]
			if !ok || f.index < last || (f.index == last && !f.repeated) {
				return c.fail(fmt.Sprintf("Unexpected element tag %q seen while parsing %s", e.Name.Local, c.parsing(t, isMethod)))
			}
			last = f.index
			child, rerr := c.elementType(e, f, t, isMethod)
			if rerr != nil {
				return rerr
			}
			if rerr := c.content(child, false); rerr != nil {
				return rerr
			}
		case encxml.EndElement:
			return nil
		}
	}
}

// elementType is the type an element's content is read as: its xsi:type, else the declared field type.
func (c *requestChecker) elementType(e encxml.StartElement, f schemaField, owner reflect.Type, ownerIsMethod bool) (reflect.Type, *requestError) {
	declared := f.typ
	if xsiType := xsiTypeOf(e); xsiType != "" {
		local := xsiType
		if i := strings.IndexByte(xsiType, ':'); i >= 0 {
			local = xsiType[i+1:]
		}
		if strings.HasPrefix(xsiType, "xsd:") || xsdPrimitives[local] {
			return stringType, nil
		}
		typ, ok := typeFunc(local)
		if !ok {
			return nil, c.fail(fmt.Sprintf("Unable to resolve WSDL type name %q seen while parsing %s", xsiType, c.parsing(owner, ownerIsMethod)))
		}
		if declared.Kind() == reflect.Interface && !typ.Implements(declared) && !reflect.PtrTo(typ).Implements(declared) {
			return nil, c.fail(fmt.Sprintf("Type %q is not allowed for element %q seen while parsing %s", xsiType, e.Name.Local, c.parsing(owner, ownerIsMethod)))
		}
		return typ, nil
	}

	if declared.Kind() != reflect.Interface {
		return declared, nil
	}
	if declared.NumMethod() == 0 {
		// xsd:anyType: without xsi:type vCenter cannot tell what the value is (vcsim silently makes it nil).
		return nil, c.fail(fmt.Sprintf("Element %q of type xsd:anyType has no xsi:type, seen while parsing %s", e.Name.Local, c.parsing(owner, ownerIsMethod)))
	}
	// A Base* interface without xsi:type means the base type itself.
	if typ, ok := typeFunc(strings.TrimPrefix(declared.Name(), "Base")); ok {
		return typ, nil
	}
	return stringType, nil
}

func (c *requestChecker) parsing(t reflect.Type, isMethod bool) string {
	if isMethod {
		return "call information for method " + c.method
	}
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct && t != timeType {
		return "serialized DataObject of type " + t.Name() + "\nwhile parsing call information for method " + c.method
	}
	return "serialized value of type " + t.Name() + "\nwhile parsing call information for method " + c.method
}

func (c *requestChecker) fail(what string) *requestError {
	line, column := c.d.InputPos()
	return &requestError{message: fmt.Sprintf("%s\nat line %d, column %d\nwhile parsing SOAP body\nwhile parsing SOAP envelope", what, line, column)}
}

func xsiTypeOf(e encxml.StartElement) string {
	for _, a := range e.Attr {
		// An undeclared prefix stays as written; a declared one resolves to the namespace URI.
		if a.Name.Local == "type" && (a.Name.Space == xsiNamespace || a.Name.Space == "xsi") {
			return a.Value
		}
	}
	return ""
}

var (
	stringType          = reflect.TypeOf("")
	timeType            = reflect.TypeOf(time.Time{})
	dynamicDataType     = reflect.TypeOf(types.DynamicData{})
	dynamicPropertyType = reflect.TypeOf(types.DynamicProperty{})
)

var xsdPrimitives = map[string]bool{
	"string": true, "boolean": true, "byte": true, "short": true, "int": true, "long": true,
	"float": true, "double": true, "dateTime": true, "base64Binary": true, "anyURI": true,
}

// schema is the element view of a Go type: each child element's position in WSDL order and its type.
type schema struct {
	fields map[string]schemaField
}

type schemaField struct {
	index    int
	typ      reflect.Type // slices and pointers removed
	repeated bool
}

var schemas sync.Map // reflect.Type → *schema

func schemaOf(t reflect.Type) *schema {
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	if s, ok := schemas.Load(t); ok {
		return s.(*schema)
	}
	s := &schema{fields: map[string]schemaField{}}
	if t.Kind() == reflect.Struct && t != timeType {
		next := 0
		s.addFields(t, &next)
	}
	schemas.Store(t, s)
	return s
}

func (s *schema) addFields(t reflect.Type, next *int) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if f.Type == dynamicDataType {
				// govmomi leaves DynamicData empty; the WSDL gives it two optional properties.
				s.add("dynamicType", stringType, false, next)
				s.add("dynamicProperty", dynamicPropertyType, true, next)
				continue
			}
			s.addFields(f.Type, next)
			continue
		}
		if f.PkgPath != "" || f.Name == "XMLName" {
			continue
		}
		tag := f.Tag.Get("xml")
		if tag == "-" {
			continue
		}
		parts := strings.Split(tag, ",")
		name := parts[0]
		skip := false
		for _, opt := range parts[1:] {
			switch opt {
			case "attr", "chardata", "innerxml", "any", "comment":
				skip = true
			}
		}
		if skip {
			continue
		}
		if name == "" {
			name = f.Name
		}
		typ := f.Type
		repeated := false
		if typ.Kind() == reflect.Slice && typ.Elem().Kind() != reflect.Uint8 {
			repeated = true
			typ = typ.Elem()
		}
		for typ.Kind() == reflect.Ptr {
			typ = typ.Elem()
		}
		s.add(name, typ, repeated, next)
	}
}

func (s *schema) add(name string, typ reflect.Type, repeated bool, next *int) {
	s.fields[name] = schemaField{index: *next, typ: typ, repeated: repeated}
	*next++
}
