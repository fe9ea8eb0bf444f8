from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    """A section heading inside a page body."""

    text = blocks.CharBlock(label=_("Text"))

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        preview_value = {"text": "学习贯彻党的二十届三中全会精神"}


class QuoteBlock(blocks.StructBlock):
    """A quotation with its source."""

    text = blocks.TextBlock(label=_("Quote"))
    source = blocks.CharBlock(label=_("Source"), required=False)

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        preview_value = {"text": "为人民服务。", "source": ""}


class BodyBlock(blocks.StreamBlock):
    """The one body used by every page type."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul", "h3"], template="blocks/paragraph_block.html"
    )
    image = ImageBlock(template="blocks/image_block.html")
    quote = QuoteBlock()
