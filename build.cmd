@echo off
rem Bootstrap: build the typed build (build\_build.csproj) and run it with the arguments.
setlocal
set ROOT=%~dp0
where dotnet >nul 2>nul || (echo dotnet not found: install the .NET 10 SDK from https://dot.net and run build.cmd again. 1>&2 & exit /b 1)
set DOTNET_CLI_TELEMETRY_OPTOUT=1
set DOTNET_NOLOGO=1
dotnet build "%ROOT%build\_build.csproj" -o "%ROOT%.nuke\temp\build" -v quiet -nologo /nodeReuse:false -p:UseSharedCompilation=false || exit /b 1
dotnet "%ROOT%.nuke\temp\build\_build.dll" --root "%ROOT%." %*
exit /b %ERRORLEVEL%
