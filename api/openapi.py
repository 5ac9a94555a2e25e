"""drf-spectacular's AutoSchema, naming the HackSoft-style nested serializers after their view.

Every view has its own ``InputSerializer`` / ``OutputSerializer``; by class name alone they would
all be components called "Input" and "Output". Nested ones are named ``<View minus Api><Inner
minus Serializer>`` instead: ``ApplicationListApi.OutputSerializer`` -> ``ApplicationListOutput``.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    def get_serializer_name(self, serializer, direction):
        cls = serializer if isinstance(serializer, type) else serializer.__class__
        parts = cls.__qualname__.split(".")
        if len(parts) >= 2:
            return parts[-2].removesuffix("Api") + parts[-1].removesuffix("Serializer")
        return super().get_serializer_name(serializer, direction)

    def get_tags(self):
        """Grouped by the first path segment after the version: applications, intents, ..."""
        segments = [s for s in self.path.split("/") if s]
        if len(segments) >= 3 and segments[:2] == ["api", "v1"]:
            return [segments[2]]
        return super().get_tags()
