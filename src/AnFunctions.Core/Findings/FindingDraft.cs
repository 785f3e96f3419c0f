namespace AnFunctions.Core.Findings;

/// <summary>A finding the rules say should be open now (before it is merged with what the store holds).</summary>
public sealed record FindingDraft(
    FindingKind Kind,
    FindingSeverity Severity,
    string Message,
    string Consequence,
    string Remedy,
    FindingEvidence Evidence);

/// <summary>
/// The outcome of evaluating a pool: the findings that should be open, and the kinds the evaluation speaks for (an
/// open finding of such a kind that is not among <see cref="Open"/> no longer holds and resolves).
/// </summary>
public sealed record FindingEvaluation(IReadOnlyList<FindingDraft> Open, IReadOnlySet<FindingKind> Evaluated)
{
    public static FindingEvaluation None { get; } = new([], new HashSet<FindingKind>());
}
