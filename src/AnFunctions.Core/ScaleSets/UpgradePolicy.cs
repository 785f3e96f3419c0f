namespace AnFunctions.Core.ScaleSets;

/// <summary><c>properties.upgradePolicy.mode</c>: how a change of the model reaches running instances.</summary>
public enum UpgradeMode
{
    /// <summary>Nothing happens to existing instances; new instances get the new model (also when the policy is absent).</summary>
    Manual,

    /// <summary>The scale set may take down every instance at the same time to bring it to the new model.</summary>
    Automatic,

    /// <summary>Instances are brought to the new model in batches of <see cref="UpgradePolicy.MaxBatchInstancePercent"/>.</summary>
    Rolling,
}

/// <summary>A scale set's upgrade policy, as far as it decides what a model write does to running instances.</summary>
/// <param name="Declared">False when the scale set has no <c>upgradePolicy</c> (Azure then behaves as Manual).</param>
public sealed record UpgradePolicy(UpgradeMode Mode, int MaxBatchInstancePercent = UpgradePolicy.DefaultMaxBatchInstancePercent, bool Declared = true)
{
    /// <summary>Azure's default <c>rollingUpgradePolicy.maxBatchInstancePercent</c>.</summary>
    public const int DefaultMaxBatchInstancePercent = 20;

    /// <summary>No <c>upgradePolicy</c> on the scale set: Manual.</summary>
    public static UpgradePolicy Absent { get; } = new(UpgradeMode.Manual, DefaultMaxBatchInstancePercent, Declared: false);

    /// <summary>
    /// How many instances one rolling batch takes down: <see cref="MaxBatchInstancePercent"/> of the instances, rounded
    /// up, at least one (rounded up so that the safety check never underestimates a batch).
    /// </summary>
    public int BatchSize(long instances) =>
        instances <= 0 ? 0 : (int)Math.Max(1, Math.Ceiling(instances * MaxBatchInstancePercent / 100.0));

    public override string ToString() => Mode == UpgradeMode.Rolling
        ? $"Rolling (maxBatchInstancePercent {MaxBatchInstancePercent})"
        : Declared ? Mode.ToString() : "Manual (no upgrade policy set)";
}
