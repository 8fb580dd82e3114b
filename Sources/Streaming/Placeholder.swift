public enum StreamingPlaceholder {}
