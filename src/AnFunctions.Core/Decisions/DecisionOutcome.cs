namespace AnFunctions.Core.Decisions;

public enum DecisionOutcome
{
    /// <summary>AN is enabled with a PATCH of the network profile.</summary>
    EnableAcceleratedNetworking,

    /// <summary>Dry-run: the PATCH that would be sent, not sent.</summary>
    WouldEnableAcceleratedNetworking,

    /// <summary>Nothing to do: the pool is as it should be.</summary>
    NoChange,

    /// <summary>The pool is left alone on purpose (existing, opted out, out of scope, unsupported size...).</summary>
    Skip,

    /// <summary>Not now: ARM is busy with the scale set; the event is retried.</summary>
    Retry,
}

public enum DecisionReason
{
    NewPoolEnabled,
    DryRun,
    AlreadyEnabled,
    ExistingPoolKnown,
    ExistingPoolOutsideWindow,
    CreationTimeUnknown,
    OptedOut,
    OutOfScope,
    SizeNotSupported,
    SizeUnknown,
    NoNetworkInterfaces,
    ProvisioningInProgress,
    ScaleSetGone,

    /// <summary>AKS manages the scale set (and AN for its pools): the app never writes to it.</summary>
    AksManaged,

    /// <summary>Upgrade policy Automatic with running nodes: the write could restart them all at once.</summary>
    AutomaticUpgradePolicy,

    /// <summary>Upgrade policy Rolling whose batch would take more nodes down than MaxUnavailable allows.</summary>
    RollingBatchTooLarge,

    /// <summary>The app's write to this pool is under way (its operation runs, or another delivery is sending it).</summary>
    WriteInProgress,

    /// <summary>The app's write enabled AN: its operation succeeded (confirmed after the write, or by a later look).</summary>
    WriteSucceeded,

    /// <summary>The app's write was accepted but its operation failed, or it was refused, and the failure stands.</summary>
    WriteFailed,
}
