package policy

import (
	"net/http"
	"path"
	"strings"
)

// ExecuteAPI builds the resource ARN Amazon API Gateway gives a request
// under IAM authorization:
//
//	arn:{Partition}:execute-api:{Region}:{Account}:{APIID}/{Stage}/{METHOD}/{path}
//
// where path is the request path cleaned (as by [path.Clean]) and without
// its leading slash, so "/pets/1" becomes ".../GET/pets/1" and "/" becomes
// ".../GET/". Policies then grant, say, "arn:aws:execute-api:*:*:*/*/GET/pets/*".
//
// The path is cleaned so that "/public/../admin" is judged as "/admin";
// route with a router that cleans paths too (http.ServeMux does). Its
// percent-encoding is decoded, so "/a%2Fb" reads "a/b".
//
// Its zero value is usable: empty fields take the defaults documented on
// each. Pass its ARN method to [WithResource].
type ExecuteAPI struct {
	// Partition is the AWS partition. Default: "aws".
	Partition string
	// Region is the region name. Default: "local".
	Region string
	// Account is the account ID. Default: "000000000000".
	Account string
	// APIID is the API's identifier. Default: "tollgate".
	APIID string
	// Stage is the deployment stage. Default: "$default", the stage name
	// of API Gateway's HTTP APIs.
	Stage string
}

// ARN returns the execute-api ARN of r.
func (e ExecuteAPI) ARN(r *http.Request) string {
	p := r.URL.Path
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	p = path.Clean(p)
	if p == "/" {
		p = ""
	}
	var b strings.Builder
	parts := [...]string{
		"arn:", or(e.Partition, "aws"), ":execute-api:", or(e.Region, "local"), ":",
		or(e.Account, "000000000000"), ":", or(e.APIID, "tollgate"), "/",
		or(e.Stage, "$default"), "/", r.Method, "/", strings.TrimPrefix(p, "/"),
	}
	n := 0
	for _, s := range parts {
		n += len(s)
	}
	b.Grow(n)
	for _, s := range parts {
		b.WriteString(s)
	}
	return b.String()
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
