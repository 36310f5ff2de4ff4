package dev.attnstudio.engine.expr;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class ParserTest {

    private static List<String> tokens(String source) {
        return Lexer.tokenize(source).stream().map(t -> t.kind() + ":" + t.text() + "@" + t.pos()).toList();
    }

    @Test
    void hookNamesAreOneTokenAndDotTIsNotPartOfThem() {
        assertEquals(List.of("NAME:blocks.0.attn.hook_q@0", "DOT_T:.T@20", "LBRACKET:[@22", "NUMBER:0@23",
                "RBRACKET:]@24", "END:@25"), tokens("blocks.0.attn.hook_q.T[0]"));
        assertEquals(List.of("NAME:encoder.blocks.1.cross_attn.hook_pattern@0", "END:@40"),
                tokens("encoder.blocks.1.cross_attn.hook_pattern"));
        assertEquals(List.of("NAME:hook_logits@0", "END:@11"), tokens("hook_logits"));
        assertEquals(List.of("NAME:x.Tq@0", "END:@4"), tokens("x.Tq"), "a part that merely starts with T is a name part");
    }

    @Test
    void numbersOperatorsAndPositions() {
        assertEquals(List.of("NUMBER:1e-5@0", "POWER:**@5", "NUMBER:.5@8", "STAR:*@11", "NUMBER:2.@13",
                "AT:@@16", "MINUS:-@18", "NUMBER:3E+2@19", "END:@23"), tokens("1e-5 ** .5 * 2. @ -3E+2"));
        assertEquals(List.of("NAME:x@0", "LBRACKET:[@1", "ELLIPSIS:...@2", "COMMA:,@5", "COLON::@7", "MINUS:-@8",
                "NUMBER:1@9", "RBRACKET:]@10", "END:@11"), tokens("x[..., :-1]"));
        assertEquals(List.of("NAME:softmax@0", "LPAREN:(@7", "NAME:x@8", "COMMA:,@9", "NAME:dim@11", "ASSIGN:=@14",
                "MINUS:-@15", "NUMBER:1@16", "RPAREN:)@17", "END:@18"), tokens("softmax(x, dim=-1)"));
    }

    @Test
    void precedenceFollowsPython() {
        Node.Binary sum = assertInstanceOf(Node.Binary.class, Parser.parse("a + b * c @ d"));
        assertEquals(Node.BinaryOp.ADD, sum.op());
        Node.Binary product = assertInstanceOf(Node.Binary.class, sum.right());
        assertEquals(Node.BinaryOp.MATMUL, product.op(), "* and @ share a level, left to right");
        assertEquals(Node.BinaryOp.MUL, assertInstanceOf(Node.Binary.class, product.left()).op());

        Node.Negate neg = assertInstanceOf(Node.Negate.class, Parser.parse("-x ** 2"));
        assertEquals(Node.BinaryOp.POW, assertInstanceOf(Node.Binary.class, neg.operand()).op());

        Node.Binary pow = assertInstanceOf(Node.Binary.class, Parser.parse("x[0].T ** 2"));
        assertInstanceOf(Node.Transpose.class, pow.left(), "indexing and .T bind tighter than **");
    }

    @Test
    void callsKeepPositionalAndKeywordArgumentsApart() {
        Node.Call call = assertInstanceOf(Node.Call.class, Parser.parse("sum(x[0, 1:3], -1, keepdim=true,)"));
        assertEquals("sum", call.function());
        assertEquals(2, call.args().size());
        assertEquals("keepdim", call.keywords().get(0).name());
        assertEquals(19, call.keywords().get(0).pos());
        assertEquals(0, call.from());
        assertEquals(33, call.to());
        Node.Index index = assertInstanceOf(Node.Index.class, call.args().get(0));
        Node.Slice slice = assertInstanceOf(Node.Slice.class, index.items().get(1));
        assertEquals(9, slice.pos());
        assertEquals(3, slice.len());
    }

    @Test
    void namesListsWhatAnExpressionReads() {
        Expression e = Expression.parse("softmax(blocks.0.attn.hook_qk_raw / sqrt(d_head) + blocks.0.attn.hook_mask)"
                + "[0, n:] - blocks.0.attn.hook_pattern + inf * 0 - d_head");
        assertEquals(List.of("blocks.0.attn.hook_qk_raw", "d_head", "blocks.0.attn.hook_mask", "n",
                "blocks.0.attn.hook_pattern"), e.names());
    }
}
