//! Requests as types, for code that sends them (the headless client).
//!
//! `client.request::<Threads>(NoArguments {})` knows its argument and result
//! types at compile time; the command name lives in one place.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::*;

/// A request type: its command name, argument type and result (body) type.
pub trait Request {
    /// Type of `arguments`.
    type Arguments: Serialize;
    /// Type of the success response's `body`.
    type Result: DeserializeOwned;
    /// Wire name.
    const COMMAND: &'static str;
}

macro_rules! requests {
    ($($(#[$doc:meta])* $name:ident = $cmd:literal ($args:ty) -> $result:ty;)*) => {
        $(
            $(#[$doc])*
            #[derive(Debug)]
            pub enum $name {}
            impl Request for $name {
                type Arguments = $args;
                type Result = $result;
                const COMMAND: &'static str = $cmd;
            }
        )*
    };
}

requests! {
    /// `initialize`.
    Initialize = "initialize" (InitializeRequestArguments) -> Capabilities;
    /// `launch`.
    Launch = "launch" (LaunchRequestArguments) -> ();
    /// `attach`.
    Attach = "attach" (LaunchRequestArguments) -> ();
    /// `configurationDone`.
    ConfigurationDone = "configurationDone" (NoArguments) -> ();
    /// `disconnect`.
    Disconnect = "disconnect" (DisconnectArguments) -> ();
    /// `terminate`.
    Terminate = "terminate" (TerminateArguments) -> ();
    /// `setBreakpoints`.
    SetBreakpoints = "setBreakpoints" (SetBreakpointsArguments) -> SetBreakpointsResponseBody;
    /// `setFunctionBreakpoints`.
    SetFunctionBreakpoints = "setFunctionBreakpoints" (SetFunctionBreakpointsArguments) -> SetBreakpointsResponseBody;
    /// `setExceptionBreakpoints`.
    SetExceptionBreakpoints = "setExceptionBreakpoints" (SetExceptionBreakpointsArguments) -> SetExceptionBreakpointsResponseBody;
    /// `breakpointLocations`.
    BreakpointLocations = "breakpointLocations" (BreakpointLocationsArguments) -> BreakpointLocationsResponseBody;
    /// `threads`.
    Threads = "threads" (NoArguments) -> ThreadsResponseBody;
    /// `stackTrace`.
    StackTrace = "stackTrace" (StackTraceArguments) -> StackTraceResponseBody;
    /// `scopes`.
    Scopes = "scopes" (ScopesArguments) -> ScopesResponseBody;
    /// `variables`.
    Variables = "variables" (VariablesArguments) -> VariablesResponseBody;
    /// `setVariable`.
    SetVariable = "setVariable" (SetVariableArguments) -> SetVariableResponseBody;
    /// `evaluate`.
    Evaluate = "evaluate" (EvaluateArguments) -> EvaluateResponseBody;
    /// `completions`.
    Completions = "completions" (CompletionsArguments) -> CompletionsResponseBody;
    /// `continue`.
    Continue = "continue" (StepArguments) -> ContinueResponseBody;
    /// `next`.
    Next = "next" (StepArguments) -> ();
    /// `stepIn`.
    StepIn = "stepIn" (StepArguments) -> ();
    /// `stepOut`.
    StepOut = "stepOut" (StepArguments) -> ();
    /// `stepBack`.
    StepBack = "stepBack" (StepArguments) -> ();
    /// `reverseContinue`.
    ReverseContinue = "reverseContinue" (StepArguments) -> ();
    /// `pause`.
    Pause = "pause" (ThreadArguments) -> ();
    /// `source`.
    SourceRequest = "source" (SourceArguments) -> SourceResponseBody;
    /// `loadedSources`.
    LoadedSources = "loadedSources" (NoArguments) -> LoadedSourcesResponseBody;
    /// `exceptionInfo`.
    ExceptionInfo = "exceptionInfo" (ThreadArguments) -> ExceptionInfoResponseBody;
    /// `cancel`.
    Cancel = "cancel" (CancelArguments) -> ();
}
