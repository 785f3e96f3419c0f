using AnFunctions.Core.State;
using AnFunctions.InMemory.State;

namespace AnFunctions.Infrastructure.Tests.State;

public sealed class InMemoryStateStoreTests : StateStoreContract
{
    protected override IStateStore Store { get; } = new InMemoryStateStore();
}
