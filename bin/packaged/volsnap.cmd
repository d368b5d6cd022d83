@echo off
rem The `volsnap` command of an installed Volsnap on Windows: the packaged CLI run by the app's own
rem Electron binary as Node, so the native modules always match. Add this folder to PATH to use it.
setlocal
set ELECTRON_RUN_AS_NODE=1
"%~dp0Volsnap.exe" "%~dp0resources\app.asar\dist\cli.cjs" %*
