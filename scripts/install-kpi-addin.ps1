#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
    Install the KPI Report desktop add-in for every user of this PC (the offline door; see docs/admin-guide.md).

.DESCRIPTION
    For PCs that need the desktop add-in (kpi_excel.xlam "Refresh KPIs", kpi_excel_pack.xlam
    "Committee paper") rather than, or as well as, the web add-in. Run once per PC as administrator,
    by hand or from Intune / Configuration Manager. It:

      1. installs the kpi-excel wheel into a machine-wide Python (pip; offline with -WheelDir);
      2. copies the two signed add-ins into Excel's machine-wide start-up folder (XLSTART under
         Office's install folder), which Excel opens for every user at start-up and which is one of
         Excel's default trusted locations; or into -StartupFolder;
      3. removes Mark-of-the-Web from the copies (Unblock-File): a file that came by download, e-mail
         or from an Internet-zone share is otherwise opened with its macros blocked;
      4. writes the add-in's config file (which Python to run, and not to put the workbook's folder
         on sys.path) into every existing user profile and into the Default profile that new users
         are made from: the add-in's VBA reads it from %USERPROFILE%.

    The add-ins are not built here. Build them once with `kpi-excel addin build DIR`, sign both in
    Excel's VBA editor with the council's code-signing certificate, and pass DIR as -SignedAddins:
    a build on each PC would be unsigned. The script refuses unsigned add-ins unless -AllowUnsigned.

    What it writes per user is what `kpi-excel addin install` writes for one user;
    tests/addin/test_install_script.py keeps the two in step. kpi_excel 0.2 named the file
    .myaddin\myaddin.conf (xlwings' template name); the add-in no longer reads that file, and this
    script leaves it where it is (other add-ins made from xlwings' template may read it).

.PARAMETER Wheel
    The kpi-excel wheel (kpi_excel-<version>-py3-none-any.whl).

.PARAMETER SignedAddins
    The folder holding the signed kpi_excel.xlam and kpi_excel_pack.xlam.

.PARAMETER Python
    The machine-wide python.exe (3.11 or later) that Excel is to run. Install it for all users first,
    e.g. python.org's installer with: /quiet InstallAllUsers=1 PrependPath=1

.PARAMETER WheelDir
    Optional: a folder of wheels for kpi-excel's dependencies (pip download -d DIR kpi-excel), for
    PCs that cannot reach PyPI; pip is then run with --no-index.

.PARAMETER StartupFolder
    Optional: a start-up folder Excel opens for every user instead of Office's XLSTART (for example
    an "At startup, open all files in" folder set by policy). It must be a trusted location.

.PARAMETER AllowUnsigned
    Install add-ins that carry no VBA signature (a pilot only: CIS baselines block them).

.PARAMETER RemovePerUserCopies
    Delete copies that a per-user `kpi-excel addin install` left in users' own XLSTART folders;
    otherwise Excel opens both and says a workbook of that name is already open.

.EXAMPLE
    .\install-kpi-addin.ps1 -Wheel \\fs01\deploy\kpi_excel-0.3.0-py3-none-any.whl -SignedAddins \\fs01\deploy\addin-signed
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)] [string] $Wheel,
    [Parameter(Mandatory = $true)] [string] $SignedAddins,
    [string] $Python = (Join-Path $env:ProgramFiles 'Python311\python.exe'),
    [string] $WheelDir = '',
    [string] $StartupFolder = '',
    [switch] $AllowUnsigned,
    [switch] $RemovePerUserCopies
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# ---- What `kpi-excel addin install` writes for one user (kept in step by the tests) ------------
$AddinNames = @('kpi_excel.xlam', 'kpi_excel_pack.xlam')
$ConfRelative = '.kpi_excel\kpi_excel.conf'
$ConfSettings = [ordered]@{
    'INTERPRETER_WIN'            = $Python
    'ADD_WORKBOOK_TO_PYTHONPATH' = 'false'
}
$UserStartup = 'AppData\Roaming\Microsoft\Excel\XLSTART'

# The VBA reads the config with Open/Input #, in the system's ANSI code page, lines ending CR LF, no BOM.
$acp = (Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\Nls\CodePage' -Name ACP).ACP
$ansi = [Text.Encoding]::GetEncoding([int]$acp)

function Get-OfficeStartupFolder {
    # MSI installs and Click-to-Run (Microsoft 365) keep Excel's install folder in different keys.
    $keys = @(
        'HKLM:\SOFTWARE\Microsoft\Office\16.0\Excel\InstallRoot',
        'HKLM:\SOFTWARE\Microsoft\Office\ClickToRun\REGISTRY\MACHINE\Software\Microsoft\Office\16.0\Excel\InstallRoot'
    )
    foreach ($key in $keys) {
        $item = Get-ItemProperty -LiteralPath $key -ErrorAction SilentlyContinue
        if ($item -and $item.PSObject.Properties['Path']) {
            return (Join-Path $item.Path 'XLSTART')
        }
    }
    throw 'Excel (Microsoft 365, or Office 2016 or later) is not installed on this PC; install it, or pass -StartupFolder.'
}

function Test-VbaSigned([string] $Path) {
    # Excel stores a VBA project's signatures as these parts of the package (legacy, agile and V3).
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    $zip = [IO.Compression.ZipFile]::OpenRead($Path)
    try {
        $signatures = @($zip.Entries | Where-Object { $_.FullName -like 'xl/vbaProjectSignature*.bin' })
        return ($signatures.Count -gt 0)
    }
    finally {
        $zip.Dispose()
    }
}

function Write-AddinConf([string] $Path) {
    # Our keys set; every other line the user already has is kept.
    $lines = New-Object System.Collections.Generic.List[string]
    if (Test-Path -LiteralPath $Path -PathType Leaf) {
        foreach ($line in [IO.File]::ReadAllLines($Path, $ansi)) {
            $key = ($line -split ',', 2)[0].Trim().Trim('"')
            if ($line.Trim() -and -not $ConfSettings.Contains($key)) {
                $lines.Add($line)
            }
        }
    }
    foreach ($entry in $ConfSettings.GetEnumerator()) {
        $lines.Add(('"{0}","{1}"' -f $entry.Key, $entry.Value))
    }
    New-Item -ItemType Directory -Force -Path (Split-Path -Parent $Path) | Out-Null
    [IO.File]::WriteAllText($Path, (($lines -join "`r`n") + "`r`n"), $ansi)
}

function Get-ProfileFolders {
    # Every user who has signed in to this PC, and the Default profile new users are copied from.
    $folders = @(Get-CimInstance -ClassName Win32_UserProfile -Filter 'Special = False' |
        ForEach-Object { $_.LocalPath } | Where-Object { $_ -and (Test-Path -LiteralPath $_) })
    $default = (Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList' -Name Default).Default
    return @($folders + $default)
}

# ---- Checks before anything is written ---------------------------------------------------------
if (-not (Test-Path -LiteralPath $Python -PathType Leaf)) {
    throw "No Python at ${Python}: install Python 3.11 or later for all users first, or pass -Python."
}
foreach ($entry in $ConfSettings.GetEnumerator()) {
    $value = [string]$entry.Value
    if ($value.Contains('"') -or $ansi.GetString($ansi.GetBytes($value)) -ne $value) {
        throw "Cannot write $($entry.Key) = ${value}: the add-in's VBA reads its config in code page $acp, which cannot hold it. Install Python in a plainer folder (for example C:\Python311)."
    }
}
foreach ($name in $AddinNames) {
    $source = Join-Path $SignedAddins $name
    if (-not (Test-Path -LiteralPath $source -PathType Leaf)) {
        throw "No $name in ${SignedAddins}: build the add-ins with 'kpi-excel addin build', sign them, and put them there."
    }
    if (-not $AllowUnsigned -and -not (Test-VbaSigned $source)) {
        throw "$source has no VBA signature: sign it in Excel's VBA editor (Tools > Digital Signature) with the council's certificate, or pass -AllowUnsigned for a pilot."
    }
}
if (-not $StartupFolder) {
    $StartupFolder = Get-OfficeStartupFolder
}

# ---- 1. kpi-excel into the machine-wide Python ------------------------------------------------
$pipArgs = @('-m', 'pip', 'install', '--upgrade', '--disable-pip-version-check', '--no-warn-script-location')
if ($WheelDir) {
    $pipArgs += @('--no-index', '--find-links', $WheelDir)
}
$pipArgs += $Wheel
Write-Host "Installing $Wheel into $Python"
& $Python @pipArgs
if ($LASTEXITCODE -ne 0) {
    throw "pip could not install $Wheel into $Python (exit code $LASTEXITCODE)."
}
# No double quotes in a native command's arguments: Windows PowerShell 5.1 passes them unescaped.
& $Python -c 'import kpi_excel, kpi_excel_pack, xlwings; print(''kpi_excel'', kpi_excel.__version__, ''with xlwings'', xlwings.__version__)'
if ($LASTEXITCODE -ne 0) {
    throw "kpi_excel does not import in ${Python}: see pip's output above."
}

# ---- 2 and 3. The signed add-ins into the start-up folder, without Mark-of-the-Web ---------------
New-Item -ItemType Directory -Force -Path $StartupFolder | Out-Null
foreach ($name in $AddinNames) {
    $target = Join-Path $StartupFolder $name
    Copy-Item -LiteralPath (Join-Path $SignedAddins $name) -Destination $target -Force
    # The copy keeps the source's Zone.Identifier stream; Office blocks macros of a file that has one.
    Unblock-File -LiteralPath $target
    Write-Host "Installed $target"
}

# ---- 4. Each user's config file, and old per-user copies ----------------------------------------
foreach ($folder in Get-ProfileFolders) {
    $conf = Join-Path $folder $ConfRelative
    Write-AddinConf $conf
    Write-Host "Wrote $conf"
    foreach ($name in $AddinNames) {
        $old = Join-Path (Join-Path $folder $UserStartup) $name
        if (Test-Path -LiteralPath $old -PathType Leaf) {
            if ($RemovePerUserCopies) {
                Remove-Item -LiteralPath $old -Force
                Write-Host "Removed the per-user copy $old"
            }
            else {
                Write-Warning "$old is a per-user copy: Excel would open both. Re-run with -RemovePerUserCopies."
            }
        }
    }
}

Write-Host 'Done. Users see the "KPI Report" tab the next time they start Excel.'
