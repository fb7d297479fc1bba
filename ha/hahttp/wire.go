package hahttp

import (
	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/internal/httpx"
)

// Node actions of sm-api's PATCH /v1/servicenode/{hostname} that Flock's
// service management takes (smc_api.py's SM_NODE_ACTION_*).
const (
	ActionSwact         = "swact"
	ActionSwactForce    = "swact-force"
	ActionSwactPreCheck = "swact-pre-check"
)

// sm-api's error codes in a node command's result (servicenode.py).
const (
	CodeSuccess         = "0"
	CodeHostNotFound    = "-1000"
	CodeActionFailed    = "-1001"
	CodeNoHostToSwactTo = "-1002"
)

// NodeCommand is the body of PATCH /v1/servicenode/{hostname}, sm-api's
// ServiceNodeCommand. sysinv sends origin "sysinv", admin and oper
// "unknown" and avail "" with a swact-pre-check; mtce sends origin "mtce".
type NodeCommand struct {
	Origin string `json:"origin,omitempty"`
	// Action: swact, swact-force or swact-pre-check.
	Action string `json:"action"`
	Admin  string `json:"admin,omitempty"`
	Oper   string `json:"oper,omitempty"`
	Avail  string `json:"avail,omitempty"`
}

// CommandResult is the answer to a node command, sm-api's
// ServiceNodeCommandResult, plus Flock's rule and error envelope when the
// command failed.
type CommandResult struct {
	Origin   string `json:"origin"`
	Hostname string `json:"hostname"`
	Action   string `json:"action"`
	Admin    string `json:"admin"`
	Oper     string `json:"oper"`
	Avail    string `json:"avail"`
	// ErrorCode is CodeSuccess or one of the other Code* values.
	ErrorCode    string `json:"error_code"`
	ErrorDetails string `json:"error_details,omitempty"`
	// Rule is the ha.RuleSwact* rule that refused the swact (Flock's).
	Rule string `json:"rule,omitempty"`
	// Error and ErrorMessage are the error envelope of a 4xx answer.
	Error        *httpx.BodyError `json:"error,omitempty"`
	ErrorMessage string           `json:"error_message,omitempty"`
}

type servicesAnswer struct {
	Services []ha.ServiceInfo `json:"services"`
}

type nodesAnswer struct {
	Nodes []ha.ServiceNode `json:"nodes"`
}

type sdaAnswer struct {
	SDA []ha.Assignment `json:"sm_sda"`
}
