"""Auth-provider overrides that xlwings Server looks up as ``auth.<provider>``."""
