namespace AnFunctions.Emulator;

/// <summary>What an HTTP call to the emulator was, for counting and for fault rules.</summary>
public enum ArmCallKind
{
    /// <summary><c>GET</c> of one scale set.</summary>
    GetScaleSet,

    /// <summary><c>GET</c> of a page of scale sets (subscription or resource group).</summary>
    ListScaleSets,

    /// <summary><c>PUT</c> of a scale set (create or replace).</summary>
    PutScaleSet,

    /// <summary><c>PATCH</c> of a scale set.</summary>
    PatchScaleSet,

    /// <summary><c>DELETE</c> of a scale set.</summary>
    DeleteScaleSet,

    /// <summary><c>GET</c> of a page of a scale set's instances (<c>.../virtualMachines</c>).</summary>
    ListInstances,

    /// <summary><c>GET</c> of the resource SKUs (<c>Microsoft.Compute/skus</c>).</summary>
    ListSkus,

    /// <summary><c>GET</c> of Activity Log events.</summary>
    ActivityLog,

    /// <summary><c>GET</c> of a long-running operation's status.</summary>
    PollOperation,

    /// <summary>
    /// <c>POST</c> of an action on a scale set's instances (<c>deallocate</c>, <c>manualupgrade</c>, <c>start</c>, ...):
    /// the scenario contract's <c>InstanceAction</c>.
    /// </summary>
    InstanceAction,

    /// <summary><c>GET /subscriptions</c>: the subscriptions the caller can see.</summary>
    ListSubscriptions,

    /// <summary><c>POST /providers/Microsoft.ResourceGraph/resources</c>: a Resource Graph query.</summary>
    ResourceGraphQuery,

    /// <summary>Anything else: answered 404 (or 405), still counted.</summary>
    Other,
}
