package bmcsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// baseRegistry is the prefix of the Base message registry's message ids
// the emulator answers with.
const baseRegistry = "Base.1.18."

// message is one entry of a Redfish error's @Message.ExtendedInfo.
type message struct {
	ODataType   string   `json:"@odata.type"`
	MessageID   string   `json:"MessageId"`
	Message     string   `json:"Message"`
	MessageArgs []string `json:"MessageArgs"`
	Severity    string   `json:"MessageSeverity"`
	Resolution  string   `json:"Resolution"`
}

// baseMessages are the texts of the Base registry messages used, with %1,
// %2... for their arguments.
var baseMessages = map[string]struct{ text, severity, resolution string }{
	"ResourceNotFound":                {"The requested resource of type %1 named '%2' was not found.", "Critical", "Provide a valid resource identifier and resubmit the request."},
	"MalformedJSON":                   {"The request body submitted was malformed JSON and could not be parsed by the receiving service.", "Critical", "Ensure that the request body is valid JSON and resubmit the request."},
	"PropertyValueNotInList":          {"The value '%1' for the property %2 is not in the list of acceptable values.", "Warning", "Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed."},
	"PropertyValueTypeError":          {"The value '%1' for the property %2 is not a type that the property can accept.", "Warning", "Correct the value for the property in the request body and resubmit the request if the operation failed."},
	"PropertyUnknown":                 {"The property %1 is not in the list of valid properties for the resource.", "Warning", "Remove the unknown property from the request body and resubmit the request if the operation failed."},
	"PropertyNotWritable":             {"The property %1 is a read-only property and cannot be assigned a value.", "Warning", "Remove the property from the request body and resubmit the request if the operation failed."},
	"PropertyMissing":                 {"The property %1 is a required property and must be included in the request.", "Warning", "Ensure that the property is in the request body and has a valid value and resubmit the request if the operation failed."},
	"ActionParameterUnknown":          {"The action %1 was submitted with the invalid parameter %2.", "Warning", "Correct the invalid parameter and resubmit the request if the operation failed."},
	"ActionParameterMissing":          {"The action %1 requires the parameter %2 to be present in the request body.", "Critical", "Supply the action with the required parameter in the request body when the request is resubmitted."},
	"ActionParameterValueTypeError":   {"The value '%1' for the parameter %2 in the action %3 is of a different type than the parameter can accept.", "Warning", "Correct the value for the parameter in the request body and resubmit the request if the operation failed."},
	"ActionParameterValueFormatError": {"The value '%1' for the parameter %2 in the action %3 is of a different format than the parameter can accept.", "Warning", "Correct the value for the parameter in the request body and resubmit the request if the operation failed."},
	"ActionParameterValueNotInList":   {"The value '%1' for the parameter %2 in the action %3 is not in the list of acceptable values.", "Warning", "Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed."},
	"ActionNotSupported":              {"The action %1 is not supported by the resource.", "Critical", "The action supplied cannot be resubmitted to the implementation.  Perhaps the action was invalid, the wrong resource was the target or the implementation documentation may be of assistance."},
	"OperationNotAllowed":             {"The HTTP method is not allowed on this URI.", "Critical", "None."},
	"PreconditionFailed":              {"The ETag supplied did not match the ETag required to change this resource.", "Critical", "Try the operation again using the appropriate ETag."},
	"NoValidSession":                  {"There is no valid session established with the implementation.", "Critical", "Establish a session before attempting any operations."},
	"InternalError":                   {"The request failed due to an internal service error.  The service is still operational.", "Critical", "Resubmit the request.  If the problem persists, consider resetting the service."},
	"GeneralError":                    {"A general error has occurred.  See Resolution for information on how to resolve the error.", "Critical", "None."},
	"UnsupportedMediaType":            {"The content type '%1' is not supported by this service.", "Critical", "Resubmit the request with a supported content type."},
	"PayloadTooLarge":                 {"The supplied payload exceeds the maximum size supported by the service.", "Critical", "Correct the request body and resubmit the request if it failed."},
}

// msg returns the Base registry message key with args.
func msg(key string, args ...string) message {
	m, ok := baseMessages[key]
	if !ok {
		panic("bmcsim: no base message " + key)
	}
	text := m.text
	for i := len(args); i >= 1; i-- { // %10 before %1
		text = strings.ReplaceAll(text, fmt.Sprintf("%%%d", i), args[i-1])
	}
	if args == nil {
		args = []string{}
	}
	return message{
		ODataType: "#Message.v1_1_1.Message", MessageID: baseRegistry + key,
		Message: text, MessageArgs: args, Severity: m.severity, Resolution: m.resolution,
	}
}

// apiError is a Redfish error answer: its status and messages.
type apiError struct {
	status int
	text   string // the error's message; empty: the first message's
	msgs   []message
}

func (e *apiError) Error() string {
	if e.text != "" {
		return e.text
	}
	if len(e.msgs) > 0 {
		return e.msgs[0].Message
	}
	return http.StatusText(e.status)
}

// fail returns an apiError of one message.
func fail(status int, key string, args ...string) *apiError {
	return &apiError{status: status, msgs: []message{msg(key, args...)}}
}

// writeError writes e as a Redfish error body: error.code is the message
// id when there is one message, Base's GeneralError otherwise.
func writeError(w http.ResponseWriter, e *apiError) {
	code := baseRegistry + "GeneralError"
	if len(e.msgs) == 1 {
		code = e.msgs[0].MessageID
	}
	body := map[string]any{"error": map[string]any{
		"code":                  code,
		"message":               e.Error(),
		"@Message.ExtendedInfo": e.msgs,
	}}
	data, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("OData-Version", "4.0")
	w.WriteHeader(e.status)
	_, _ = w.Write(data)
}
