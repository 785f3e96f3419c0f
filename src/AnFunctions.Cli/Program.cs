using AnFunctions.Cli;

return await CliApp.RunAsync(args, Console.Out, Console.Error, errorIsTerminal: !Console.IsErrorRedirected).ConfigureAwait(false);
