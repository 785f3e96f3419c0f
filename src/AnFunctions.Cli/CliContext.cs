using Microsoft.Extensions.Logging;

namespace AnFunctions.Cli;

/// <summary>
/// What every command writes to: results on <see cref="Out"/>, diagnostics on <see cref="Error"/> and the logs.
/// <see cref="ErrorIsTerminal"/>: standard error is a terminal (not redirected), so live progress may be drawn there.
/// </summary>
internal sealed record CliContext(TextWriter Out, TextWriter Error, ILoggerFactory LoggerFactory, bool ErrorIsTerminal = false);
