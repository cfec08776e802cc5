"""The catalog: every building block of a mandate, one small module each, by family."""
