namespace AnFunctions.Emulator; internal static class Placeholder;
