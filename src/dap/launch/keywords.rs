//! Closed sets of keywords that launch attributes take (request types,
//! connect types, trace topics, clock modes) and `trace` itself. Each keyword
//! parses from what the user wrote; a refusal lists what is allowed.

use std::borrow::Cow;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::suggest::did_you_mean;
use super::values::expected;

/// Declares a closed set of keywords. Each variant's doc comment becomes its
/// description in the schema (`enumDescriptions`, which VS Code shows).
/// `hint` names a function that explains known but refused words; `default`
/// names the variant `Default` gives.
macro_rules! keywords {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident: $what:literal $(, hint = $hint:path)? $(, default = $default:ident)? {
            $( $(#[doc = $doc:literal])+ $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl $name {
            /// Every value, in documentation order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The keywords as written in launch.json, in the order of [`Self::ALL`].
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The keyword as written in launch.json.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// What the keyword means, from its doc comment.
            pub fn description(self) -> &'static str {
                match self {
                    $($name::$variant => concat!($($doc),+).trim()),+
                }
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, String> {
                if let Some(i) = Self::NAMES.iter().position(|n| *n == text) {
                    return Ok(Self::ALL[i]);
                }
                let hint: Option<String> = None $(.or_else(|| $hint(text)))?;
                Err(keyword_error(text, $what, Self::NAMES, hint))
            }
        }

        string_serde!($name);

        $(
            impl Default for $name {
                fn default() -> Self {
                    $name::$default
                }
            }
        )?

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }

            fn inline_schema() -> bool {
                true
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                let descriptions: Vec<&str> = Self::ALL.iter().map(|v| v.description()).collect();
                json_schema!({
                    "type": "string",
                    "enum": Self::NAMES,
                    "enumDescriptions": descriptions,
                })
            }
        }
    };
}

/// "`X` is not a request type; did you mean Y? allowed: A, B, C".
fn keyword_error(text: &str, what: &str, names: &[&str], hint: Option<String>) -> String {
    let allowed = names.join(", ");
    if let Some(hint) = hint {
        return format!("{hint}; allowed: {allowed}");
    }
    match did_you_mean(text, names) {
        Some(near) => format!("`{text}` is not {what}; did you mean {near}? allowed: {allowed}"),
        None => format!("`{text}` is not {what}; allowed: {allowed}"),
    }
}

keywords! {
    /// A kind of request a session can be narrowed to (`requestTypeFilter`).
    /// The names are Salesforce's; only the kinds the sandbox runs are allowed.
    pub enum RequestType: "a request type", hint = request_type_hint {
        /// Anonymous Apex (Execute Anonymous, `isvdbg exec`, the Run Apex command).
        ExecuteAnonymous => "EXECUTE_ANONYMOUS",
        /// Apex test methods run synchronously.
        RunTestsSynchronous => "RUN_TESTS_SYNCHRONOUS",
        /// Apex test methods run through the asynchronous test queue.
        RunTestsAsynchronous => "RUN_TESTS_ASYNCHRONOUS",
        /// A Queueable job's `execute`.
        Queueable => "QUEUEABLE",
        /// An `@future` method.
        Future => "FUTURE",
        /// An Apex REST call (`@RestResource`, under /services/apexrest).
        Rest => "REST",
    }
}

/// Request types Salesforce's debugger knows that the sandbox never produces.
const SALESFORCE_ONLY_REQUEST_TYPES: &[&str] = &[
    "BATCH_APEX",
    "INBOUND_EMAIL_SERVICE",
    "INVOCABLE_ACTION",
    "LIGHTNING",
    "QUICK_ACTION",
    "REMOTE_ACTION",
    "RUN_TESTS_DEPLOY",
    "SCHEDULED",
    "SOAP",
    "SYNCHRONOUS",
    "VISUALFORCE",
];

fn request_type_hint(text: &str) -> Option<String> {
    if text.eq_ignore_ascii_case("TRIGGER") {
        return Some(format!(
            "`{text}` is not a request type: a trigger runs inside the request whose DML fired it; \
             filter on that request's type, or set breakpoints in the trigger"
        ));
    }
    SALESFORCE_ONLY_REQUEST_TYPES.contains(&text).then(|| {
        format!("`{text}` requests do not exist in the isvdbg sandbox, so a filter on them would never match")
    })
}

keywords! {
    /// How the session connects (`connectType`). Salesforce's adapter also has
    /// `DEFAULT`, its Apex Debugger for the user's own orgs; isvdbg only
    /// debugs subscriber sandboxes.
    pub enum ConnectType: "a connect type", hint = connect_type_hint, default = IsvDebugger {
        /// An ISV Customer Debugger session: the publisher's support engineer,
        /// logged in to a subscriber sandbox through login access.
        IsvDebugger => "ISV_DEBUGGER",
    }
}

fn connect_type_hint(text: &str) -> Option<String> {
    (text == "DEFAULT").then(|| {
        "`DEFAULT` is Salesforce's Apex Debugger for your own orgs; isvdbg debugs subscriber \
         sandboxes as the ISV Customer Debugger only"
            .to_string()
    })
}

keywords! {
    /// A kind of trace output (`trace`).
    pub enum TraceTopic: "a trace topic" {
        /// Every DAP message between the client and the adapter.
        Protocol => "protocol",
        /// The WebSocket traffic between the adapter and the sandbox.
        Sandbox => "sandbox",
        /// All of the above.
        All => "all",
    }
}

keywords! {
    /// The clock of an embedded sandbox (`clock`).
    pub enum ClockMode: "a clock mode", default = Real {
        /// Wall-clock time: the idle timeout and the 4-hour cap pass in real time.
        Real => "real",
        /// Time stands still until the sandbox is told to advance it, so tests
        /// and demos run the timeout rules in milliseconds.
        Virtual => "virtual",
    }
}

/// What the adapter traces: nothing (`false`, the default), everything
/// (`true` or `"all"`), one topic, or a list of topics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    topics: Vec<TraceTopic>,
}

impl Trace {
    /// Traces every topic.
    pub fn all() -> Trace {
        Trace {
            topics: vec![TraceTopic::All],
        }
    }

    /// Whether output about `topic` is wanted.
    pub fn is_enabled(&self, topic: TraceTopic) -> bool {
        self.topics
            .iter()
            .any(|&t| t == topic || t == TraceTopic::All)
    }

    /// Whether nothing is traced.
    pub fn is_off(&self) -> bool {
        self.topics.is_empty()
    }

    /// Reads `true`, `false`, `"topic"` or `["topic", ...]`. On error, the
    /// position inside the value (`[1]` or empty) and the message.
    pub(crate) fn from_json(value: &Value) -> Result<Trace, (String, String)> {
        let mut topics = Vec::new();
        match value {
            Value::Bool(false) => {}
            Value::Bool(true) => topics.push(TraceTopic::All),
            Value::String(text) => topics.push(text.parse().map_err(|e| (String::new(), e))?),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let Value::String(text) = item else {
                        return Err((format!("[{i}]"), expected("a trace topic", item)));
                    };
                    let topic = text.parse().map_err(|e| (format!("[{i}]"), e))?;
                    if !topics.contains(&topic) {
                        topics.push(topic);
                    }
                }
            }
            other => {
                return Err((
                    String::new(),
                    expected("true, false, a trace topic or a list of them", other),
                ));
            }
        }
        Ok(Trace { topics })
    }
}

impl Serialize for Trace {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.topics.as_slice() {
            [] => s.serialize_bool(false),
            [TraceTopic::All] => s.serialize_bool(true),
            topics => topics.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Trace {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        Trace::from_json(&value)
            .map_err(|(at, message)| serde::de::Error::custom(format!("trace{at}: {message}")))
    }
}

impl JsonSchema for Trace {
    fn schema_name() -> Cow<'static, str> {
        "Trace".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let topic = generator.subschema_for::<TraceTopic>();
        json_schema!({
            "anyOf": [
                { "type": "boolean" },
                topic,
                { "type": "array", "items": topic, "uniqueItems": true },
            ],
        })
    }
}
